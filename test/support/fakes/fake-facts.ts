/**
 * The fake hosts' answer to the facts script, in the real facts.sh's own words: each query is
 * answered with the lines facts.sh gave a captured host for the same variant of answer
 * (facts-fixtures/: "pkg present", "file present, shown", …), the captured values replaced by
 * this host's (its file map first, then the HostFacts the test gave). Which variant a state is,
 * and the values, are all this file knows: the lines, their order, fields and words are
 * facts.sh's, committed by scripts/capture-facts-fixtures and checked against facts.sh by
 * test/tool/facts/fixtures.test.ts.
 */
import { createHash } from "node:crypto";
import type { FileFact, HostFacts } from "../../../src/facts/types.js";
import { envLinesSha256 } from "../../../src/facts/queries.js";
import { DRAIN_DIR } from "../../../src/render/loadbalancer.js";
import { factsLines } from "../facts-fixtures/answers.js";
import type { FakeFile } from "./fake-hosts.js";

/** The fake's files are all from 2026-01-01 (a pending marker's time). */
const FAKE_MTIME = String(Date.parse("2026-01-01T00:00:00Z") / 1000);

/** A file the run wrote (or the test put there), as stat and sha256sum see it. */
function writtenFact(f: FakeFile): FileFact {
  const id = (n: string) => (n === "root" ? "0" : /^\d+$/.test(n) ? n : "999");
  const name = (n: string) => (/^\d+$/.test(n) ? "UNKNOWN" : n);
  return {
    present: true,
    mode: f.mode,
    owner: name(f.owner),
    group: name(f.group),
    uid: id(f.owner),
    gid: id(f.group),
    sha256: createHash("sha256").update(f.content).digest("hex"),
    content: f.content.toString("utf8"),
  };
}

const ownership = (f: Omit<FileFact, "sha256" | "content">) => ({
  mode: f.mode ?? 0,
  owner: f.owner ?? "",
  group: f.group ?? "",
  uid: f.uid ?? "",
  gid: f.gid ?? "",
});

function fileLines(path: string, desiredSha: string, show: boolean, fact: FileFact | undefined): string {
  if (!fact?.present) return factsLines("file absent", { path });
  const values = { path, sha256: fact.sha256 ?? "", id: "", ...ownership(fact) };
  if (show && fact.sha256 !== desiredSha && fact.content !== undefined)
    return factsLines("file present, shown", { ...values, content: fact.content });
  return factsLines("file present", values);
}

const either = (yes: boolean | undefined, a: string, b: string) => (yes ? a : b);

/** facts.sh's stdout for these queries (one TAB-separated query a line, as encodeQueries writes them). */
export function answerFacts(queries: string, facts: HostFacts, files: ReadonlyMap<string, FakeFile>): string {
  const out = [factsLines("start", {}), factsLines(facts.init === "systemd" ? "init systemd" : "init sysv", {})];
  for (const line of queries.split("\n").filter(Boolean)) {
    const [kind = "", a = "", b = "", c = ""] = line.split("\t");
    const written = files.get(a);
    switch (kind) {
      case "file":
        out.push(fileLines(a, b, c === "show", written ? writtenFact(written) : facts.files[a]));
        break;
      case "dir": {
        const d = facts.dirs[a];
        out.push(d?.present ? factsLines("dir present", { path: a, ...ownership(d) }) : factsLines("dir absent", { path: a }));
        break;
      }
      case "pkg":
        out.push(factsLines(either(facts.packages[a], "pkg present", "pkg absent"), { name: a }));
        break;
      case "user":
        out.push(factsLines(either(facts.users[a], "user present", "user absent"), { name: a }));
        break;
      case "iface":
        out.push(factsLines(either(facts.interfaces[a], "iface present", "iface absent"), { name: a }));
        break;
      case "mount": {
        const m = facts.mounts[a];
        out.push(m ? factsLines("mount mounted", { target: a, ...m }) : factsLines("mount none", { target: a }));
        break;
      }
      case "fstab": {
        const l = facts.fstab[a];
        out.push(l ? factsLines("fstab line", { line: l, target: a }) : factsLines("fstab none", { target: a }));
        break;
      }
      case "sysctl": {
        const v = facts.sysctls[a];
        out.push(v ? factsLines("sysctl value", { key: a, value: v }) : factsLines("sysctl none", { key: a }));
        break;
      }
      case "vip":
        out.push(factsLines(either(facts.vips[a], "vip held", "vip free"), { address: a }));
        break;
      case "tcp":
        out.push(factsLines(either(facts.tcp[`${a}:${b}`], "tcp open", "tcp closed"), { host: a, port: b }));
        break;
      case "disk":
        out.push(factsLines("disk", { path: a, kb: String(facts.diskFreeKb[a] ?? 0) }));
        break;
      case "stamp": {
        const v = written ? (written.content.toString("utf8").split("\n")[0] ?? "") : (facts.stamps[a] ?? "");
        out.push(v ? factsLines("stamp value", { path: a, value: v }) : factsLines("stamp none", { path: a }));
        break;
      }
      case "envlines": {
        const keys = b.split(",");
        const sum = written
          ? envLinesSha256(
              written.content
                .toString("utf8")
                .split("\n")
                .filter((l) => keys.some((k) => l.startsWith(`${k}=`))),
            )
          : facts.envLines[a];
        out.push(sum ? factsLines("envlines sum", { path: a, sum }) : factsLines("envlines absent", { path: a }));
        break;
      }
      case "http": {
        const status = facts.http[a];
        out.push(status ? factsLines("http status", { url: a, status: String(status) }) : factsLines("http none", { url: a }));
        break;
      }
      case "harbor-api": {
        const r = facts.api[a] ?? { status: 0, body: "" };
        out.push(factsLines("harbor-api answer", { url: a, status: String(r.status), body: r.body }));
        break;
      }
      case "vipchain": {
        const rules = (facts.vipChain?.rules ?? []).map((rule) => ({ rule }));
        out.push(factsLines(facts.vipChain?.hooked ? "vipchain hooked" : "vipchain unhooked", { rules }));
        break;
      }
      case "keepalived":
      case "haproxy": {
        const p = facts[kind];
        out.push(p?.running ? factsLines(`${kind} running`, { pid: String(p.pid ?? "") }) : factsLines(`${kind} stopped`, {}));
        break;
      }
      // As facts.sh's find: every entry of the drain folder.
      case "drain":
        out.push(
          factsLines("drain", {
            names: [...files.keys()].filter((p) => p.startsWith(`${DRAIN_DIR}/`)).map((p) => ({ name: p.slice(DRAIN_DIR.length + 1) })),
          }),
        );
        break;
      case "pending": {
        const markers = [...files.keys()]
          .filter((p) => p.startsWith(`${a}/`) && !p.slice(a.length + 1).includes("/"))
          .map((p) => ({ name: p.slice(a.length + 1), at: FAKE_MTIME }));
        out.push(factsLines("pending", { path: a, markers }));
        break;
      }
      // HAProxy's `show stat` CSV (its format, not facts.sh's: the columns the parser reads); unreadable when none is given.
      case "haproxy-stat": {
        const servers = facts.haproxyServers;
        if (!servers) {
          out.push(factsLines("haproxy-stat unreadable", { socket: a }));
          break;
        }
        const csv = [
          "# pxname,svname,scur,status,check_status,addr",
          ...servers.map((x) => `${x.backend},${x.server},${x.sessions},${x.status},${x.checkStatus},${x.address}`),
        ].join("\n");
        out.push(factsLines("haproxy-stat ok", { socket: a, csv }));
        break;
      }
      case "ping":
        out.push(factsLines(a in facts.pings ? either(facts.pings[a], "ping answers", "ping silent") : "ping unknown", { address: a }));
        break;
      case "version": {
        const v = facts.versions[a];
        out.push(
          v?.found
            ? factsLines("version found", { output: v.output, id: "", program: a, exit: String(v.exitCode) })
            : factsLines("version missing", { program: a }),
        );
        break;
      }
      default:
        throw new Error(`the fake host does not know the fact query "${kind}"`);
    }
  }
  out.push(factsLines("end", {}));
  return out.join("");
}

/**
 * The fake hosts' answer to the facts script: the queries arrive on stdin as gather.ts sends
 * them, and are answered in facts.sh's output format from the host's state (its file map
 * first, then the HostFacts the test gave). parseFacts, the real parser, reads it back; the
 * script itself is tested against a real shell in test/tool/facts/.
 */
import { createHash } from "node:crypto";
import type { DirFact, FileFact, HostFacts } from "../../../src/facts/types.js";
import { DRAIN_DIR } from "../../../src/render/loadbalancer.js";
import type { FakeFile } from "./fake-hosts.js";

const FAKE_MTIME = Date.parse("2026-01-01T00:00:00Z") / 1000;
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function stat(f: Pick<FileFact, "mode" | "owner" | "group" | "uid" | "gid">): string {
  return `${(f.mode ?? 0).toString(8)}:${f.owner ?? ""}:${f.group ?? ""}:${f.uid ?? ""}:${f.gid ?? ""}`;
}

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
  };
}

function fileLines(path: string, desiredSha: string, show: boolean, fact: FileFact | undefined, content: Buffer | undefined): string[] {
  if (!fact?.present) return [`file\t${path}\tabsent`];
  const lines = [`file\t${path}\tpresent\t${stat(fact)}\t${fact.sha256 ?? ""}`];
  const text = content?.toString("utf8") ?? fact.content;
  if (show && fact.sha256 !== desiredSha && text !== undefined) lines.push(`content\t${path}\t${b64(text)}`);
  return lines;
}

function dirLine(path: string, d: DirFact | undefined): string {
  return d?.present ? `dir\t${path}\tpresent\t${stat(d)}` : `dir\t${path}\tabsent`;
}

const present = (v: boolean | undefined, yes: string, no: string) => (v ? yes : no);

/** facts.sh's stdout for these queries (one TAB-separated query a line, as encodeQueries writes them). */
export function answerFacts(queries: string, facts: HostFacts, files: ReadonlyMap<string, FakeFile>): string {
  const out = ["facts\t1", `init\t${facts.init}`];
  for (const line of queries.split("\n").filter(Boolean)) {
    const [kind = "", a = "", b = "", c = ""] = line.split("\t");
    switch (kind) {
      case "file": {
        const written = files.get(a);
        out.push(...fileLines(a, b, c === "show", written ? writtenFact(written) : facts.files[a], written?.content));
        break;
      }
      case "dir":
        out.push(dirLine(a, facts.dirs[a]));
        break;
      case "pkg":
        out.push(`pkg\t${a}\t${present(facts.packages[a], "present", "absent")}`);
        break;
      case "user":
        out.push(`user\t${a}\t${present(facts.users[a], "present", "absent")}`);
        break;
      case "iface":
        out.push(`iface\t${a}\t${present(facts.interfaces[a], "present", "absent")}`);
        break;
      case "mount": {
        const m = facts.mounts[a];
        out.push(m ? `mount\t${a}\t${m.source}\t${m.fstype}\t${m.options}` : `mount\t${a}\t`);
        break;
      }
      case "fstab":
        out.push(`fstab\t${a}\t${facts.fstab[a] ?? ""}`);
        break;
      case "sysctl":
        out.push(`sysctl\t${a}\t${facts.sysctls[a] ?? ""}`);
        break;
      case "vip":
        out.push(`vip\t${a}\t${present(facts.vips[a], "held", "not-held")}`);
        break;
      case "tcp":
        out.push(`tcp\t${a}:${b}\t${present(facts.tcp[`${a}:${b}`], "open", "closed")}`);
        break;
      case "disk":
        out.push(`disk\t${a}\t${facts.diskFreeKb[a] ?? 0}`);
        break;
      case "stamp": {
        const written = files.get(a);
        out.push(`stamp\t${a}\t${written ? written.content.toString("utf8").trim() : (facts.stamps[a] ?? "")}`);
        break;
      }
      // The count the test gave; else the lines found in a file the host holds; else every line (a file Harbor's prepare wrote as harbor-ha expects).
      case "lines": {
        const expected = b === "-" || b === undefined ? [] : [...new Set(Buffer.from(b, "base64").toString("utf8").split("\n").filter(Boolean))];
        const given = facts.lines[a];
        const held = files.get(a)?.content.toString("utf8").split("\n");
        const n = given !== undefined ? given : held ? expected.filter((l) => held.includes(l)).length : expected.length;
        out.push(`lines\t${a}\t${n === null ? "absent" : n}`);
        break;
      }
      case "http":
        out.push(`http\t${a}\t${facts.http[a] ?? 0}`);
        break;
      case "vipchain":
        out.push(`vipchain\t${facts.vipChain?.hooked ? "hooked" : "unhooked"}\t${(facts.vipChain?.rules ?? []).join(";")}`);
        break;
      case "keepalived":
        out.push(`keepalived\t${facts.keepalived?.running ? "running" : "stopped"}\t${facts.keepalived?.pid ?? ""}`);
        break;
      case "haproxy":
        out.push(`haproxy\t${facts.haproxy?.running ? "running" : "stopped"}\t${facts.haproxy?.pid ?? ""}`);
        break;
      // As facts.sh's find: every entry of the drain folder, each followed by a space.
      case "drain":
        out.push(
          `drain\t${[...files.keys()]
            .filter((p) => p.startsWith(`${DRAIN_DIR}/`))
            .map((p) => `${p.slice(DRAIN_DIR.length + 1)} `)
            .join("")}`,
        );
        break;
      // As facts.sh's find: each file of the folder as name=mtime, each followed by a space (the fake's files are all from 2026-01-01).
      case "pending":
        out.push(
          `pending\t${a}\t${[...files.keys()]
            .filter((p) => p.startsWith(`${a}/`) && !p.slice(a.length + 1).includes("/"))
            .map((p) => `${p.slice(a.length + 1)}=${FAKE_MTIME} `)
            .join("")}`,
        );
        break;
      // As facts.sh's probe: HAProxy's `show stat` CSV (the columns the parser reads), base64; "unreadable" when none is given.
      case "haproxy-stat": {
        const servers = facts.haproxyServers;
        if (!servers) {
          out.push(`haproxy-stat\t${a}\tunreadable`);
          break;
        }
        const csv = [
          "# pxname,svname,scur,status,check_status,addr",
          ...servers.map((x) => `${x.backend},${x.server},${x.sessions},${x.status},${x.checkStatus},${x.address}`),
        ].join("\n");
        out.push(`haproxy-stat\t${a}\tok\t${b64(csv)}`);
        break;
      }
      case "ping":
        out.push(`ping\t${a}\t${a in facts.pings ? present(facts.pings[a], "answers", "silent") : "unknown"}`);
        break;
      case "version": {
        const v = facts.versions[a];
        out.push(v?.found ? `version\t${a}\t${v.exitCode}\t${b64(v.output)}` : `version\t${a}\tmissing`);
        break;
      }
      case "harbor-api": {
        const r = facts.api[a] ?? { status: 0, body: "" };
        out.push(`harbor-api\t${a}\t${r.status}\t${b64(r.body)}`);
        break;
      }
      default:
        throw new Error(`the fake host does not know the fact query "${kind}"`);
    }
  }
  out.push("end\tok");
  return out.join("\n") + "\n";
}

/**
 * Reads facts.sh's output into HostFacts. Pure; tested on captured output.
 */
import type { HostFacts } from "./types.js";
import { parseHaproxyStat } from "./haproxy-stat.js";

export class FactsParseError extends Error {}

export function emptyFacts(): HostFacts {
  return {
    init: "sysv",
    files: {},
    dirs: {},
    packages: {},
    users: {},
    mounts: {},
    fstab: {},
    sysctls: {},
    interfaces: {},
    vips: {},
    pings: {},
    tcp: {},
    diskFreeKb: {},
    stamps: {},
    envLines: {},
    lines: {},
    http: {},
    versions: {},
    api: {},
    pending: {},
  };
}

export function parseFacts(output: string): HostFacts {
  const facts = emptyFacts();
  const lines = output.split("\n").filter((l) => l !== "");
  if (lines[0] !== "facts\t1") throw new FactsParseError(`unexpected facts output (first line ${JSON.stringify(lines[0] ?? "")})`);
  if (lines[lines.length - 1] !== "end\tok") throw new FactsParseError("facts output ended early (no end marker)");
  for (const line of lines.slice(1, -1)) {
    const fields = line.split("\t");
    // An fstab line is often TAB-separated itself: it is the whole rest of the answer.
    if (fields[0] === "fstab") fields.splice(2, fields.length, fields.slice(2).join("\t"));
    readLine(facts, fields);
  }
  return facts;
}

function readLine(f: HostFacts, [kind = "", a = "", b = "", c = "", d = "", e = ""]: string[]): void {
  switch (kind) {
    case "init":
      f.init = a === "systemd" ? "systemd" : "sysv";
      break;
    case "file": {
      if (b !== "present") {
        f.files[a] = { present: false };
        break;
      }
      f.files[a] = { present: true, ...readStat(c), sha256: d, ...(e ? { id: e } : {}) };
      break;
    }
    case "content": {
      const file = f.files[a];
      if (file) file.content = Buffer.from(b, "base64").toString("utf8");
      break;
    }
    case "dir": {
      if (b !== "present") {
        f.dirs[a] = { present: false };
        break;
      }
      f.dirs[a] = { present: true, ...readStat(c) };
      break;
    }
    case "pkg":
      f.packages[a] = b === "present";
      break;
    case "user":
      f.users[a] = b === "present";
      break;
    case "mount":
      f.mounts[a] = b === "" ? null : { source: b, fstype: c, options: d };
      break;
    case "fstab":
      f.fstab[a] = b === "" ? null : b;
      break;
    case "sysctl":
      f.sysctls[a] = b === "" ? null : b;
      break;
    case "iface":
      f.interfaces[a] = b === "present";
      break;
    case "vip":
      f.vips[a] = b === "held";
      break;
    case "tcp":
      f.tcp[a] = b === "open";
      break;
    case "disk":
      f.diskFreeKb[a] = Number(b) || 0;
      break;
    case "stamp":
      f.stamps[a] = b === "" ? null : b;
      break;
    case "envlines":
      f.envLines[a] = b === "absent" || b === "" ? null : b;
      break;
    case "lines":
      f.lines[a] = b === "absent" || !/^\d+$/.test(b) ? null : Number(b);
      break;
    case "http":
      f.http[a] = Number(b) || 0;
      break;
    case "vipchain":
      f.vipChain = { hooked: a === "hooked", rules: b.split(";").filter(Boolean) };
      break;
    case "keepalived":
      f.keepalived = b ? { running: a === "running", pid: Number(b) } : { running: a === "running" };
      break;
    case "haproxy":
      f.haproxy = b ? { running: a === "running", pid: Number(b) } : { running: a === "running" };
      break;
    case "ping":
      if (b !== "unknown") f.pings[a] = b === "answers";
      break;
    case "version":
      f.versions[a] =
        b === "missing"
          ? { found: false }
          : b === "same"
            ? { found: true, exitCode: 0, output: "", id: d, unchanged: true }
            : { found: true, exitCode: Number(b), output: Buffer.from(c, "base64").toString("utf8"), ...(d ? { id: d } : {}) };
      break;
    case "harbor-api":
      f.api[a] = { status: Number(b) || 0, body: Buffer.from(c, "base64").toString("utf8") };
      break;
    case "haproxy-stat":
      f.haproxyServers = b === "ok" ? parseHaproxyStat(Buffer.from(c, "base64").toString("utf8")) : null;
      break;
    case "read":
      f.reads ??= {};
      f.reads[a] =
        b === "present"
          ? { state: "present", content: Buffer.from(c, "base64").toString("utf8") }
          : { state: b === "too-big" ? "too-big" : "absent" };
      break;
    case "drain":
      // An atomic write's kept previous version (NAME.harbor-ha.bak) is no marker of its own.
      f.drained = a.split(" ").filter((n) => n !== "" && !n.endsWith(".harbor-ha.bak"));
      break;
    case "pending":
      for (const entry of b.split(" ").filter(Boolean)) {
        const at = entry.lastIndexOf("=");
        if (at > 0) f.pending[entry.slice(0, at)] = Math.floor(Number(entry.slice(at + 1))) || 0;
      }
      break;
    default:
      break; // newer facts.sh lines an older parser does not know: ignored on purpose
  }
}

/** `%a:%U:%G:%u:%g` → mode and owner; an owner without a name (uid 10000 on most hosts) is known by its number. */
function readStat(field: string): { mode: number; owner: string; group: string; uid: string; gid: string } {
  const [mode = "0", owner = "", group = "", uid = "", gid = ""] = field.split(":");
  return { mode: parseInt(mode, 8), owner, group, uid, gid };
}

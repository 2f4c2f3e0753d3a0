/**
 * What to ask a host, derived from what we want of it. Pure. The queries travel to the
 * host on stdin as TAB-separated lines and are answered by FACTS_SCRIPT in one round trip.
 */
import { createHash } from "node:crypto";
import type { DesiredHost } from "../desired/types.js";
import type { Secret } from "../inventory/secret.js";

export type FactQuery =
  /**
   * stat + sha256 of a managed file; its content (base64) only when it differs and may be shown.
   * `rememberSum`: a big file whose checksum is kept by the file's identity (cache/version-cache.ts);
   * `known`: that checksum and identity from an earlier run — a host whose file still has that
   * identity answers it without reading the file again.
   */
  | { kind: "file"; path: string; desiredSha256: string; showContent: boolean; rememberSum?: boolean; known?: { id: string; sha256: string } }
  | { kind: "dir"; path: string }
  | { kind: "pkg"; name: string }
  | { kind: "user"; name: string }
  | { kind: "mount"; target: string }
  | { kind: "fstab"; target: string }
  | { kind: "sysctl"; key: string }
  | { kind: "iface"; name: string }
  | { kind: "vip"; address: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "disk"; path: string }
  | { kind: "stamp"; path: string }
  /**
   * The sha256 of a KEY=value file's lines for these keys, sorted (LC_ALL=C), one newline after
   * each: what values a file holds, compared by checksum (Harbor 2.x's env files hold secrets).
   */
  | { kind: "envlines"; path: string; keys: readonly string[] }
  /**
   * How many of these whole lines a file holds (distinct ones): lines another program writes
   * from values harbor-ha gave it (Harbor's prepare). They travel base64-encoded on stdin, as a
   * Secret (they may hold a password), and only the count comes back.
   */
  | { kind: "lines"; path: string; lines: Secret }
  | { kind: "http"; url: string }
  | { kind: "vipchain" }
  | { kind: "keepalived" }
  | { kind: "haproxy" }
  | { kind: "drain" }
  /** HAProxy's runtime state of every server (`show stat` through its admin socket): who is drained now, whoever drained them. */
  | { kind: "haproxy-stat"; socket: string }
  /** The pending-change markers in a folder (steps/pending.ts): each file's name and mtime. */
  | { kind: "pending"; path: string }
  /** What `<program> --version` prints and its exit status (the node prerequisites Harbor's installer runs). */
  | { kind: "version"; program: string; knownId?: string }
  /**
   * A GET of Harbor's API on the node, with curl's config (credentials) given as data: it
   * travels base64-encoded inside the queries on stdin, never in a command line.
   */
  | { kind: "harbor-api"; url: string; curlConfig: Secret }
  /** Whether anything answers ping at an address (the VIP, when no load balancer holds it). */
  | { kind: "ping"; address: string }
  /**
   * A small file's whole content (at most READ_MAX_BYTES; a longer file reads as too big), whatever
   * it holds: only adopt asks it, for the secrets and configuration of a cluster it did not build.
   */
  | { kind: "read"; path: string };

/** The most a read fact returns of a file: keys, certificates and configuration files are far smaller. */
export const READ_MAX_BYTES = 262_144;

export function sha256Hex(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The queries every run makes of a host: its managed files, dirs, packages, users, mounts. */
export function baseQueries(desired: DesiredHost): FactQuery[] {
  const q: FactQuery[] = [];
  for (const f of desired.files) q.push({ kind: "file", path: f.path, desiredSha256: sha256Hex(f.content), showContent: !f.sensitive });
  for (const d of desired.directories) q.push({ kind: "dir", path: d.path });
  for (const p of desired.packages) q.push({ kind: "pkg", name: p });
  for (const u of desired.users) q.push({ kind: "user", name: u });
  for (const m of desired.mounts) q.push({ kind: "mount", target: m.target }, { kind: "fstab", target: m.target });
  for (const t of desired.requiredMounts) q.push({ kind: "mount", target: t });
  return q;
}

/**
 * The queries with each fact asked once: the first of those asking the same thing is kept (a
 * file the render manages before a mode's look for what another mode left at that path).
 */
export function dedupeQueries(queries: readonly FactQuery[]): FactQuery[] {
  const seen = new Set<string>();
  return queries.filter((q) => {
    const key = queryKey(q);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function queryKey(q: FactQuery): string {
  switch (q.kind) {
    case "file":
    case "dir":
    case "stamp":
    case "envlines":
    case "lines":
    case "pending":
    case "disk":
    case "read":
      return `${q.kind}\t${q.path}`;
    case "haproxy-stat":
      return `${q.kind}\t${q.socket}`;
    case "pkg":
    case "user":
    case "iface":
      return `${q.kind}\t${q.name}`;
    case "mount":
    case "fstab":
      return `${q.kind}\t${q.target}`;
    case "sysctl":
      return `${q.kind}\t${q.key}`;
    case "vip":
    case "ping":
      return `${q.kind}\t${q.address}`;
    case "tcp":
      return `${q.kind}\t${q.host}:${q.port}`;
    case "http":
    case "harbor-api":
      return `${q.kind}\t${q.url}`;
    case "version":
      return `${q.kind}\t${q.program}`;
    case "vipchain":
    case "keepalived":
    case "haproxy":
    case "drain":
      return q.kind;
  }
}

/** What an envlines fact reads for a file holding exactly these KEY=value lines. */
export function envLinesSha256(lines: readonly string[]): string {
  return sha256Hex(
    [...lines]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((l) => `${l}\n`)
      .join(""),
  );
}

/** One stdin line per query; fields never contain TAB or newline (paths and names are validated). */
export function encodeQueries(queries: readonly FactQuery[]): string {
  return queries.map(encodeQuery).join("\n") + "\n";
}

function encodeQuery(q: FactQuery): string {
  const fields: Array<string | number> = (() => {
    switch (q.kind) {
      // TAB is IFS whitespace to sh's read: an empty field would vanish and shift show/hide
      // into the hash's place, so "no desired hash" travels as "-" (which no sha256 equals).
      case "file":
        return [q.kind, q.path, q.desiredSha256 || "-", q.showContent ? "show" : "hide", ...(q.known ? [`${q.known.id}=${q.known.sha256}`] : [])];
      case "dir":
      case "disk":
      case "stamp":
      case "pending":
      case "read":
        return [q.kind, q.path];
      case "pkg":
      case "user":
      case "iface":
        return [q.kind, q.name];
      case "mount":
      case "fstab":
        return [q.kind, q.target];
      case "sysctl":
        return [q.kind, q.key];
      case "vip":
      case "ping":
        return [q.kind, q.address];
      case "tcp":
        return [q.kind, q.host, q.port];
      case "http":
        return [q.kind, q.url];
      case "haproxy-stat":
        return [q.kind, q.socket];
      // "-": no line to look for (the file's presence alone is asked).
      case "lines": {
        const text = q.lines.reveal();
        return [q.kind, q.path, text === "" ? "-" : Buffer.from(text, "utf8").toString("base64")];
      }
      case "envlines":
        if (q.keys.some((k) => !/^[A-Z][A-Z0-9_]*$/.test(k))) throw new Error(`harbor-ha: not an env key: ${q.keys.join(",")}`);
        return [q.kind, q.path, q.keys.join(",")];
      // The identity of the program file the caller already knows the answer of ("-": none).
      case "version":
        return [q.kind, q.program, q.knownId || "-"];
      case "harbor-api":
        return [q.kind, q.url, Buffer.from(q.curlConfig.reveal(), "utf8").toString("base64")];
      case "vipchain":
      case "keepalived":
      case "haproxy":
      case "drain":
        return [q.kind];
    }
  })();
  for (const f of fields) {
    if (/[\t\n]/.test(String(f))) throw new Error(`harbor-ha: a fact query field contains a TAB or newline: ${JSON.stringify(f)}`);
  }
  return fields.join("\t");
}

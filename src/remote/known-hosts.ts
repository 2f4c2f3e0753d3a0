/**
 * OpenSSH known_hosts, parsed and checked the way `ssh` does: plain names,
 * `[host]:port`, comma lists, wildcards and `!` negations, hashed names
 * (`|1|salt|hash`, HMAC-SHA1 of the name), `@revoked` and `@cert-authority` lines, comments.
 * Pure: reading and appending the file is in host-keys.ts.
 */
import { createHash, createHmac } from "node:crypto";

export type HostPattern = { kind: "plain"; pattern: string; negated: boolean } | { kind: "hashed"; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  /** `@revoked` lines name keys that must never be accepted. */
  revoked: boolean;
  /** `@cert-authority` lines name a CA whose host certificates are trusted for the hosts they match (host-certificate.ts). */
  certAuthority?: boolean;
  hosts: HostPattern[];
  keyType: string;
  keyBase64: string;
  /** 1-based line number, for messages. */
  line: number;
}

export type HostKeyVerdict = "match" | "mismatch" | "unknown" | "revoked";

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const entry = parseKnownHostsLine(raw, i + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

function parseKnownHostsLine(raw: string, line: number): KnownHostEntry | undefined {
  const text = raw.trim();
  if (text === "" || text.startsWith("#")) return undefined;
  const fields = text.split(/\s+/);
  let revoked = false;
  let certAuthority = false;
  if (fields[0]?.startsWith("@")) {
    const marker = fields.shift();
    if (marker === "@revoked") revoked = true;
    else if (marker === "@cert-authority") certAuthority = true;
    else return undefined; // a marker OpenSSH does not know either
  }
  const [hostField, keyType, keyBase64] = fields;
  if (!hostField || !keyType || !keyBase64) return undefined;
  const hosts = hostField
    .split(",")
    .filter((h) => h !== "")
    .map(parseHostPattern);
  if (hosts.some((h) => h === undefined)) return undefined;
  return { revoked, ...(certAuthority ? { certAuthority } : {}), hosts: hosts as HostPattern[], keyType, keyBase64, line };
}

function parseHostPattern(text: string): HostPattern | undefined {
  if (text.startsWith("|1|")) {
    const [, , salt, hash] = text.split("|");
    if (!salt || !hash) return undefined;
    return { kind: "hashed", salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  }
  const negated = text.startsWith("!");
  return { kind: "plain", pattern: (negated ? text.slice(1) : text).toLowerCase(), negated };
}

/** The name known_hosts stores for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === name;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}

/** Whether an entry names this host; a matching `!pattern` excludes it whatever else matches. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  let matched = false;
  for (const p of entry.hosts) {
    if (p.kind === "hashed") {
      if (createHmac("sha1", p.salt).update(name).digest().equals(p.hash)) matched = true;
    } else if (wildcardMatch(p.pattern, name)) {
      if (p.negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * The verdict for a key the host presented, as `ssh` would give it: a revoked key is
 * refused wherever it appears; the same key for this host matches; any other key for a host
 * that known_hosts already names, of the same type or not, is a changed key (OpenSSH treats
 * a host with any known key as known: a host that suddenly offers only another key type is
 * as suspect as one with another key); only a host known_hosts does not name is unknown.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyType: string, keyBase64: string): HostKeyVerdict {
  if (entries.some((e) => e.revoked && e.keyType === keyType && e.keyBase64 === keyBase64)) return "revoked";
  const forHost = entries.filter((e) => !e.revoked && !e.certAuthority && entryMatchesHost(e, host, port));
  if (forHost.some((e) => e.keyType === keyType && e.keyBase64 === keyBase64)) return "match";
  return forHost.length > 0 ? "mismatch" : "unknown";
}

/** The key types known_hosts holds for a host: offered first, so the host presents a key we can check. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => !e.revoked && !e.certAuthority && entryMatchesHost(e, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The `@cert-authority` entries whose host patterns match this host, less any CA key marked `@revoked`. */
export function certificateAuthoritiesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const revoked = entries.filter((e) => e.revoked);
  return entries.filter(
    (e) => e.certAuthority && entryMatchesHost(e, host, port) && !revoked.some((r) => r.keyType === e.keyType && r.keyBase64 === e.keyBase64),
  );
}

/** A line to append for trust on first use (plain name, like `ssh -o HashKnownHosts=no`). */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBase64: string): string {
  return `${knownHostsName(host, port)} ${keyType} ${keyBase64}`;
}

/** `SHA256:…` as `ssh` and `ssh-keygen -l` print it (unpadded base64 of the key blob's digest). */
export function fingerprintSha256(keyBase64: string): string {
  const digest = createHash("sha256").update(Buffer.from(keyBase64, "base64")).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** The key type written at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa` …). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}

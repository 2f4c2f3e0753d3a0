/**
 * The OpenSSH client configuration (~/.ssh/config, or the file the inventory names), read
 * with a maintained parser (ssh-config) and asked what `ssh` would use for one host: the
 * first value wins, Host patterns with `!` and wildcards, Match blocks (never `Match exec`:
 * harbor-ha runs no local command a config names). Include lines are read in place.
 * The keywords harbor-ha honours are those of SshConfigHost; a ProxyCommand is refused
 * with the fix (ProxyJump), since the connection is not made by a command.
 */
import { readdirSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import picomatch from "picomatch";
import SSHConfig from "ssh-config";
import { HarborHaError } from "../errors.js";

/** What the ssh config says for one host, as `ssh -G` would show it (only the keywords harbor-ha uses). */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** In order; `~` and %-tokens expanded. */
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** `[user@]host[:port]` hops, in order; empty for none. */
  proxyJump: string[];
  /** `ProxyJump none` (or ProxyCommand none): go directly, even when the inventory has a jump host. */
  proxyJumpNone?: boolean;
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  hostKeyAlias?: string;
  proxyCommand?: string;
}

/** A config read once per run; `lookup` is pure. */
export interface SshConfig {
  readonly path: string;
  lookup(host: string): SshConfigHost;
}

const MAX_INCLUDE_DEPTH = 16;

/** Reads the file (and its Includes); a default file that does not exist is no config at all. */
export function readSshConfig(path: string, opts: { required: boolean }): SshConfig | undefined {
  let text: string;
  try {
    text = expandIncludes(readFileSync(path, "utf8"), dirname(path), 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && !opts.required) return undefined;
    throw new HarborHaError(`cannot read the ssh config ${path}: ${(err as Error).message}`, {
      hint: "Check ssh.config_file in the inventory (false: read no ssh config).",
    });
  }
  return parseSshConfig(text, path);
}

export function parseSshConfig(text: string, path: string): SshConfig {
  let parsed: SSHConfig;
  try {
    parsed = SSHConfig.parse(text);
  } catch (err) {
    throw new HarborHaError(`${path}: not an ssh config OpenSSH would read: ${(err as Error).message}`, {
      hint: "Check it with `ssh -G <host>`, or set ssh.config_file: false in the inventory.",
    });
  }
  return {
    path,
    lookup: (host) => hostFrom(parsed.compute(host, { ignoreCase: true, matchExec: false }), host),
  };
}

type Computed = Record<string, string | string[]>;

function hostFrom(c: Computed, host: string): SshConfigHost {
  const first = (key: string): string | undefined => {
    const v = c[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const list = (key: string): string[] | undefined => {
    const v = c[key];
    if (v === undefined) return undefined;
    return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(/\s+/)).filter((x) => x !== "");
  };
  const hostName = first("hostname");
  const user = first("user");
  const portText = first("port");
  const tokens = { h: hostName ?? host, n: host, r: user ?? "", p: portText ?? "22" };
  const jump = first("proxyjump");
  const result: SshConfigHost = {
    identityFiles: (list("identityfile") ?? []).map((f) => expandTokens(f, tokens)),
    proxyJump: jump === undefined || jump.toLowerCase() === "none" ? [] : jump.split(",").map((j) => j.trim()),
  };
  if (jump?.toLowerCase() === "none") result.proxyJumpNone = true;
  if (hostName !== undefined) result.hostName = expandTokens(hostName, { ...tokens, h: host });
  if (user !== undefined) result.user = user;
  if (portText !== undefined) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HarborHaError(`ssh config: Port ${portText} for ${host} is not a port number`);
    result.port = port;
  }
  const only = first("identitiesonly");
  if (only !== undefined) result.identitiesOnly = only.toLowerCase() === "yes";
  const userKnown = list("userknownhostsfile");
  if (userKnown) result.userKnownHostsFiles = userKnown.filter((f) => f !== "none").map((f) => expandTokens(f, tokens));
  const globalKnown = list("globalknownhostsfile");
  if (globalKnown) result.globalKnownHostsFiles = globalKnown.filter((f) => f !== "none").map((f) => expandTokens(f, tokens));
  const alias = first("hostkeyalias");
  if (alias !== undefined) result.hostKeyAlias = alias;
  const command = first("proxycommand");
  if (command !== undefined && command.toLowerCase() !== "none") result.proxyCommand = command;
  return result;
}

/** ssh_config(5)'s TOKENS that a file name may hold (%d %u %h %n %r %p %%) and a leading `~`. */
export function expandTokens(text: string, t: { h: string; n: string; r: string; p: string }): string {
  const home = homedir();
  const expanded = text.replace(/%([%dhnrpu])/g, (_, c: string) => {
    if (c === "%") return "%";
    if (c === "d") return home;
    if (c === "u") return localUser();
    return t[c as "h" | "n" | "r" | "p"];
  });
  if (expanded === "~") return home;
  return expanded.startsWith("~/") ? join(home, expanded.slice(2)) : expanded;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "";
  }
}

/**
 * `Include` lines replaced by the files they name, in place (as ssh reads them): relative to
 * ~/.ssh for a user config, wildcards in the last part of the path, files in lexical order.
 */
function expandIncludes(text: string, baseDir: string, depth: number): string {
  if (depth > MAX_INCLUDE_DEPTH) throw new Error(`Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
  return text
    .split("\n")
    .map((line) => {
      const m = /^\s*include(?:\s*=\s*|\s+)(.+)$/i.exec(line);
      if (!m?.[1]) return line;
      return m[1]
        .trim()
        .split(/\s+/)
        .flatMap((pattern) => includedFiles(pattern.replace(/^"|"$/g, ""), baseDir))
        .map((file) => expandIncludes(readFileSync(file, "utf8"), baseDir, depth + 1))
        .join("\n");
    })
    .join("\n");
}

function includedFiles(pattern: string, baseDir: string): string[] {
  const path = expandTokens(pattern, { h: "", n: "", r: "", p: "" });
  const full = isAbsolute(path) ? path : join(baseDir, path);
  const name = basename(full);
  if (!picomatch.scan(name).isGlob) return [full];
  const isMatch = picomatch(name, { dot: false });
  try {
    return readdirSync(dirname(full))
      .filter((f) => isMatch(f))
      .sort()
      .map((f) => join(dirname(full), f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

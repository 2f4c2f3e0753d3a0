/**
 * Where and how to reach one host over SSH: what the inventory sets, over what the ssh config
 * says for the host (as `ssh` would read ~/.ssh/config), over the defaults an operator expects
 * from `ssh` itself (except the user: root, as harbor-ha always had).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { HarborHaError } from "../errors.js";
import type { Secret } from "../inventory/secret.js";
import type { Inventory } from "../inventory/model.js";
import { sshSettingsFor } from "../inventory/model.js";
import type { HarborNodeSpec, LoadBalancerSpec } from "../inventory/schema.js";
import { readSshConfig } from "./ssh-config.js";
import type { SshConfig, SshConfigHost } from "./ssh-config.js";

/** One SSH server on the way to a host (a jump host), as `ssh -J` reaches it. */
export interface JumpHost {
  address: string;
  port: number;
  user: string;
  /** The name its key is checked under in known_hosts, when not `address` (HostKeyAlias, the name a HostName replaced). */
  knownHostsName?: string;
  /** Its own key (IdentityFile of its ssh config entry); else the host's. */
  privateKeyPath?: string;
  identitiesOnly?: boolean;
}

export interface SshTarget {
  /** The inventory's name for the host: what messages call it. */
  hostName: string;
  /** Where the connection goes (the address resolved for this run). */
  address: string;
  port: number;
  user: string;
  /** The name the host key is checked under in known_hosts when it is not `address` (a DNS name, HostKeyAlias). */
  knownHostsName?: string;
  /** Without a key the SSH agent ($SSH_AUTH_SOCK) is used. */
  privateKeyPath?: string;
  /** IdentitiesOnly: the key only, never the agent's. */
  identitiesOnly?: boolean;
  passphrase?: Secret;
  /** The known_hosts file keys are checked against and trusted keys appended to. */
  knownHostsPath: string;
  /** Further files read, never written: the ssh config's other UserKnownHostsFile, the system-wide ones. */
  otherKnownHostsPaths?: string[];
  /** Run privileged commands through sudo (ignored for root). */
  sudo: boolean;
  sudoPassword?: Secret;
  connectTimeoutMs: number;
  /** Jump hosts in order (ProxyJump a,b: a first). */
  jumps?: JumpHost[];
}

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = "root";
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** What OpenSSH reads besides the user's own file (GlobalKnownHostsFile's default). */
export const GLOBAL_KNOWN_HOSTS_PATHS = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];

/** `~/x` → home; relative → beside the inventory. */
export function expandPath(path: string, baseDir: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export function defaultKnownHostsPath(): string {
  return join(homedir(), ".ssh", "known_hosts");
}

export function defaultSshConfigPath(): string {
  return join(homedir(), ".ssh", "config");
}

/** The inventory's ssh config: ssh.config_file (false: none), else ~/.ssh/config when there is one. */
export function readSshConfigFor(inv: Inventory): SshConfig | undefined {
  const file = inv.data.ssh.config_file;
  if (file === false) return undefined;
  if (file === undefined) return readSshConfig(defaultSshConfigPath(), { required: false });
  return readSshConfig(expandPath(file, inv.dir), { required: true });
}

/** The name the inventory gave as the host's address (before it was resolved): what ssh and its config know the host by. */
export function givenAddress(inv: Inventory, host: LoadBalancerSpec | HarborNodeSpec): string {
  return inv.resolvedAddresses?.[host.name]?.given ?? host.address;
}

/**
 * The SSH target of one inventory host: its own settings over the inventory's `ssh` defaults,
 * over the ssh config's entry for the address as the inventory wrote it.
 */
export function sshTargetFor(inv: Inventory, host: LoadBalancerSpec | HarborNodeSpec, config?: SshConfig): SshTarget {
  const s = sshSettingsFor(inv, host);
  const given = givenAddress(inv, host);
  const c = config?.lookup(given);
  const user = s.user ?? c?.user ?? DEFAULT_SSH_USER;
  const resolved = inv.resolvedAddresses?.[host.name]?.address;
  const address = resolved ?? c?.hostName ?? host.address;
  const target: SshTarget = {
    hostName: host.name,
    address,
    port: s.port ?? c?.port ?? DEFAULT_SSH_PORT,
    user,
    knownHostsPath: s.known_hosts ? expandPath(s.known_hosts, inv.dir) : (c?.userKnownHostsFiles?.[0] ?? defaultKnownHostsPath()),
    sudo: s.sudo ?? user !== "root",
    connectTimeoutMs: s.connect_timeout_s !== undefined ? s.connect_timeout_s * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
  };
  // known_hosts names a host as ssh was told to reach it: HostKeyAlias, else HostName, else the name given.
  const keyName = c?.hostKeyAlias ?? c?.hostName ?? given;
  if (keyName !== address) target.knownHostsName = keyName;
  const others = [...(s.known_hosts ? [] : (c?.userKnownHostsFiles?.slice(1) ?? [])), ...(c?.globalKnownHostsFiles ?? GLOBAL_KNOWN_HOSTS_PATHS)];
  if (others.length > 0) target.otherKnownHostsPaths = others;
  const key = s.private_key ?? firstExisting(c?.identityFiles ?? []);
  if (key) target.privateKeyPath = key;
  if (c?.identitiesOnly) target.identitiesOnly = true;
  if (s.passphrase) target.passphrase = s.passphrase;
  if (s.sudo_password) target.sudoPassword = s.sudo_password;
  const jumps = jumpsFor(s.jump_host, c, user, config, host.name);
  if (jumps.length > 0) target.jumps = jumps;
  return target;
}

type InventoryJump = { address: string; user?: string | undefined; port?: number | undefined } | false | undefined;

/** The inventory's jump host wins (false: none); else the ssh config's ProxyJump chain. */
function jumpsFor(
  inventoryJump: InventoryJump,
  c: SshConfigHost | undefined,
  user: string,
  config: SshConfig | undefined,
  hostName: string,
): JumpHost[] {
  if (inventoryJump === false) return [];
  if (inventoryJump) return [jumpHost(inventoryJump.address, inventoryJump.user, inventoryJump.port, user, config)];
  if (c?.proxyCommand && c.proxyJump.length === 0)
    throw new HarborHaError(`${hostName}: your ssh config (${config?.path}) reaches it through a ProxyCommand, which harbor-ha does not run`, {
      hint: "Use ProxyJump in the ssh config instead (or ssh.jump_host in the inventory), then run again.",
    });
  return (c?.proxyJump ?? []).map((hop) => {
    const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
    if (!m?.[2]) throw new HarborHaError(`${hostName}: ProxyJump "${hop}" in ${config?.path} is not [user@]host[:port]`);
    return jumpHost(m[2].replace(/^\[|\]$/g, ""), m[1], m[3] === undefined ? undefined : Number(m[3]), user, config);
  });
}

/** A jump host as ssh reaches it: what was given, over its own ssh config entry (ssh -J looks each hop up too). */
function jumpHost(name: string, user: string | undefined, port: number | undefined, fallbackUser: string, config: SshConfig | undefined): JumpHost {
  const c = config?.lookup(name);
  const jump: JumpHost = { address: c?.hostName ?? name, port: port ?? c?.port ?? DEFAULT_SSH_PORT, user: user ?? c?.user ?? fallbackUser };
  const keyName = c?.hostKeyAlias ?? jump.address;
  if (keyName !== jump.address) jump.knownHostsName = keyName;
  const key = firstExisting(c?.identityFiles ?? []);
  if (key) jump.privateKeyPath = key;
  if (c?.identitiesOnly) jump.identitiesOnly = true;
  return jump;
}

/** ssh tries each IdentityFile in turn; ssh2 takes one key: the first that exists. */
function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

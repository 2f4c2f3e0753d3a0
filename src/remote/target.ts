/**
 * Where and how to reach one host over SSH, resolved from the inventory with
 * the defaults an operator expects from `ssh` itself.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Secret } from "../inventory/secret.js";
import type { Inventory } from "../inventory/model.js";
import { sshSettingsFor } from "../inventory/model.js";
import type { HarborNodeSpec, LoadBalancerSpec } from "../inventory/schema.js";

export interface JumpHost {
  address: string;
  port: number;
  user: string;
}

export interface SshTarget {
  /** The inventory's name for the host: what messages call it. */
  hostName: string;
  address: string;
  port: number;
  user: string;
  /** Without a key the SSH agent ($SSH_AUTH_SOCK) is used. */
  privateKeyPath?: string;
  passphrase?: Secret;
  knownHostsPath: string;
  /** Run privileged commands through sudo (ignored for root). */
  sudo: boolean;
  sudoPassword?: Secret;
  connectTimeoutMs: number;
  jump?: JumpHost;
}

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SSH_USER = "root";
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** `~/x` → home; relative → beside the inventory. */
export function expandPath(path: string, baseDir: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

export function defaultKnownHostsPath(): string {
  return join(homedir(), ".ssh", "known_hosts");
}

/** The SSH target of one inventory host: its own settings over the inventory's `ssh` defaults. */
export function sshTargetFor(inv: Inventory, host: LoadBalancerSpec | HarborNodeSpec): SshTarget {
  const s = sshSettingsFor(inv, host);
  const user = s.user ?? DEFAULT_SSH_USER;
  const target: SshTarget = {
    hostName: host.name,
    address: host.address,
    port: s.port ?? DEFAULT_SSH_PORT,
    user,
    knownHostsPath: s.known_hosts ? expandPath(s.known_hosts, inv.dir) : defaultKnownHostsPath(),
    sudo: s.sudo ?? user !== "root",
    connectTimeoutMs: s.connect_timeout_s !== undefined ? s.connect_timeout_s * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
  };
  if (s.private_key) target.privateKeyPath = s.private_key;
  if (s.passphrase) target.passphrase = s.passphrase;
  if (s.sudo_password) target.sudoPassword = s.sudo_password;
  const jump = inv.data.ssh.jump_host;
  if (jump) target.jump = { address: jump.address, port: jump.port ?? DEFAULT_SSH_PORT, user: jump.user ?? user };
  return target;
}

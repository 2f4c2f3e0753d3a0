/**
 * The typed inventory every later layer works from, and the small pure
 * derivations they share (effective VRRP priorities, per-host SSH settings).
 */
import type { Secret } from "./secret.js";
import type { HarborNodeSpec, InventoryData, LoadBalancerSpec, SshSettings } from "./schema.js";

export type Role = "loadbalancer" | "harbor-node";

/** The TLS material, read from the files the inventory names. */
export interface TlsMaterial {
  certificatePem: string;
  key: Secret;
  caPem?: string;
}

export interface Inventory {
  /** Absolute path of the inventory file. */
  readonly path: string;
  /** Its folder: relative paths and the state folder are beside it. */
  readonly dir: string;
  readonly data: InventoryData;
  /** Present when data.tls is (https, or certificates given for http). */
  readonly tls?: TlsMaterial;
}

/** One machine the tool talks to, with what the rest of the code needs to know about it. */
export interface HostRef {
  readonly name: string;
  readonly address: string;
  readonly role: Role;
}

/**
 * The persistent cluster-wide secrets: generated once, kept in the state folder beside
 * the inventory, identical on every node (Harbor nodes behind one VIP must share them,
 * or each rejects the others' sessions and tokens).
 */
export interface ClusterState {
  /** Harbor's /data/secretkey: 16 characters. */
  readonly secretkey: Secret;
  /** The token service's signing key (PEM, RSA) and its self-signed certificate (PEM). */
  readonly tokenPrivateKey: Secret;
  readonly tokenCertificatePem: string;
}

const TOP_PRIORITY = 150;
const PRIORITY_STEP = 10;

/** VRRP priority of each load balancer: as given, else derived from its place in the list. */
export function effectivePriorities(lbs: readonly LoadBalancerSpec[]): number[] {
  return lbs.map((lb, i) => lb.priority ?? Math.max(1, TOP_PRIORITY - PRIORITY_STEP * i));
}

/** SSH settings for one host: its own overrides over the inventory's defaults. */
export function sshSettingsFor(inv: Inventory, host: LoadBalancerSpec | HarborNodeSpec): SshSettings {
  const { jump_host: _jump, ...defaults } = inv.data.ssh;
  return { ...defaults, ...(host.ssh ?? {}) };
}

/** The served ports: 80 always (Harbor redirects it under https), 443 with https. */
export function servedPorts(inv: Inventory): number[] {
  return inv.data.cluster.protocol === "https" ? [80, 443] : [80];
}

/** HAProxy behind the VIP spreads the traffic (load_balancing: haproxy), not LVS direct routing. */
export function usesHaproxy(inv: Inventory): boolean {
  return inv.data.load_balancing === "haproxy";
}

/** The VIP without its prefix length, and the prefix length. */
export function vipParts(inv: Inventory): { address: string; prefix: number } {
  const [address = "", prefix = "32"] = inv.data.cluster.vip.split("/");
  return { address, prefix: Number(prefix) };
}

/**
 * The typed inventory every later layer works from, and the small pure
 * derivations they share (effective VRRP priorities, per-host SSH settings).
 */
import type { Secret } from "./secret.js";
import type { HarborNodeSpec, InventoryData, LoadBalancerSpec, SshSettings } from "./schema.js";
import type { Harbor2InventoryData } from "./schema-v2.js";

export type Role = "loadbalancer" | "harbor-node";

/** The TLS material, read from the files the inventory names. */
export interface TlsMaterial {
  certificatePem: string;
  key: Secret;
  caPem?: string;
}

interface InventoryFile {
  /** Absolute path of the inventory file. */
  readonly path: string;
  /** Its folder: relative paths and the state folder are beside it. */
  readonly dir: string;
  /** Present when data.tls is (https, or certificates given for http). */
  readonly tls?: TlsMaterial;
  /**
   * Hosts whose `address` the inventory gave as a name (DNS or ssh config alias), by host name:
   * that name, and the IPv4 address it was resolved to once for this run, which `data` then holds.
   */
  readonly resolvedAddresses?: Readonly<Record<string, ResolvedAddress>>;
}

/** A host address given as a name, and what it was resolved to. */
export interface ResolvedAddress {
  /** As written in the inventory: what ssh and the ssh config know the host by. */
  readonly given: string;
  /** The IPv4 address the run uses (keepalived, LVS, HAProxy, the connection). */
  readonly address: string;
  /** How: the ssh config's HostName (then DNS when that is a name too), or DNS. */
  readonly via: string;
}

/** A Harbor 1.4/1.5 cluster: harbor.cfg, MariaDB, install.sh --ha. */
export interface Harbor1Inventory extends InventoryFile {
  readonly generation?: 1;
  readonly data: InventoryData;
}

/**
 * A Harbor 2.x inventory's VM sections, present: what provision and the other VM commands
 * work from (the Kubernetes-only inventory is helm-values' alone).
 */
export type Harbor2VmData = Omit<Harbor2InventoryData, "cluster" | "load_balancers" | "keepalived" | "harbor_nodes" | "installer"> & {
  readonly cluster: Harbor2InventoryData["cluster"] & { vip: string };
  readonly load_balancers: NonNullable<Harbor2InventoryData["load_balancers"]>;
  readonly keepalived: NonNullable<Harbor2InventoryData["keepalived"]>;
  readonly harbor_nodes: NonNullable<Harbor2InventoryData["harbor_nodes"]>;
  readonly installer: NonNullable<Harbor2InventoryData["installer"]>;
};

/** A Harbor 2.x cluster on VMs: harbor.yml, PostgreSQL, install.sh [--with-trivy]. */
export interface Harbor2VmInventory extends InventoryFile {
  readonly generation: 2;
  readonly data: Harbor2VmData;
}

/**
 * The cluster on VMs, of either Harbor generation. The load balancers, the nodes' hosts, SSH
 * and TLS read the same; what differs (Harbor's configuration, the database, the installer
 * run) is told apart by `generation`, in one place: harbor/generations.ts.
 */
export type Inventory = Harbor1Inventory | Harbor2VmInventory;

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
  /** Harbor 2.x only: what prepare makes anew on every run, pinned to one value for every node. */
  readonly harbor2?: PinnedSecrets;
}

/** The secrets Harbor 2.x's prepare regenerates that every node must share (render/harbor2-pinned-secrets.ts says why). */
export interface PinnedSecrets {
  /** 16 characters, as prepare makes them. */
  readonly coreSecret: Secret;
  readonly jobserviceSecret: Secret;
  /** Exactly 32 characters, or core refuses every request. */
  readonly csrfKey: Secret;
}

/** The secrets Harbor's Helm chart would make up anew on every render, pinned once per cluster (secrets/chart-secrets.ts). */
export interface ChartSecrets {
  /** core.secret: what core, jobservice and registry show each other (16 characters, as the chart makes it). */
  readonly coreSecret: Secret;
  /** core.xsrfKey: exactly 32 characters, or core refuses to start. */
  readonly csrfKey: Secret;
  readonly jobserviceSecret: Secret;
  readonly registryHttpSecret: Secret;
  /** registry.credentials.password and its bcrypt line for the registry's htpasswd file. */
  readonly registryPassword: Secret;
  readonly registryHtpasswd: Secret;
}

const TOP_PRIORITY = 150;
const PRIORITY_STEP = 10;

/** VRRP priority of each load balancer: as given, else derived from its place in the list. */
export function effectivePriorities(lbs: readonly LoadBalancerSpec[]): number[] {
  return lbs.map((lb, i) => lb.priority ?? Math.max(1, TOP_PRIORITY - PRIORITY_STEP * i));
}

/** SSH settings for one host: its own overrides over the inventory's defaults. */
export function sshSettingsFor(inv: Inventory, host: LoadBalancerSpec | HarborNodeSpec): SshSettings {
  const { config_file: _file, ...defaults } = inv.data.ssh;
  return { ...defaults, ...(host.ssh ?? {}) };
}

/** The served ports: 80 always (Harbor redirects it under https), 443 with https. */
export function servedPorts(inv: Inventory): number[] {
  return inv.data.cluster.protocol === "https" ? [80, 443] : [80];
}

/** The VIP without its prefix length, and the prefix length. */
export function vipParts(inv: Inventory): { address: string; prefix: number } {
  const [address = "", prefix = "32"] = inv.data.cluster.vip.split("/");
  return { address, prefix: Number(prefix) };
}

/**
 * What every run that changes or reads the cluster starts from: the SSH pool for its hosts,
 * and — for runs that may write — the cluster's state, the render, the installer bundle's
 * checksum and a Redactor that knows every secret, inventory and generated alike.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ClusterState, Inventory } from "../inventory/model.js";
import type { EmitEvent } from "./events.js";
import type { HarborNodeSpec, LoadBalancerSpec } from "../inventory/schema.js";
import { Redactor } from "../inventory/secret.js";
import { HarborHaError } from "../errors.js";
import { clusterStateDir, readOrCreateClusterState } from "../state/cluster-state.js";
import type { ClusterStateRead } from "../state/cluster-state.js";
import { readOrCreatePinnedSecrets } from "../state/chart-secrets.js";
import { isHarbor2Vm } from "../inventory/model.js";
import { readThroughBundleCache } from "../state/bundle-cache.js";
import { renderDesiredState } from "../render/desired-state.js";
import type { DesiredState } from "../render/types.js";
import { SshPool } from "../remote/pool.js";
import type { CommandLogEvent, ConnectTransport } from "../remote/transport.js";
import { sshTargetFor } from "../remote/target.js";
import { describeAcceptedHostKey } from "../remote/host-keys.js";
import type { HostKeyAccepted } from "../remote/host-keys.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { collectSecrets } from "./secrets.js";
import { SERVER_DATABASE } from "./database.js";
import type { DatabaseEdge } from "./database.js";

/**
 * The edges a run reaches the world through: SSH and MariaDB unless given. The unit tests
 * give an in-memory fake of both, so provision and reconfigure run whole without a lab.
 */
export interface RunEdges {
  connect?: ConnectTransport;
  database?: DatabaseEdge;
}

export interface PoolSettings extends RunEdges {
  parallel?: number;
  acceptNewHostKeys: boolean;
  /** A dry run: keys trusted on first use are not written to known_hosts. */
  dryRun?: boolean;
  /** A host key trusted on first use; by default a note through `emit`. */
  onHostKeyAccepted?: (accepted: HostKeyAccepted) => void;
  /** The run's events: notes (a host key trusted on first use, the cluster state's), and every command run. */
  emit?: EmitEvent;
}

/** One SSH session per host for this run; `hosts` defaults to every inventory host. */
export function openClusterPool(inv: Inventory, settings: PoolSettings, hosts?: ReadonlyArray<LoadBalancerSpec | HarborNodeSpec>): SshPool {
  const targets = (hosts ?? [...inv.data.load_balancers, ...inv.data.harbor_nodes]).map((h) => sshTargetFor(inv, h));
  return new SshPool(targets, {
    ...(settings.parallel === undefined ? {} : { parallel: settings.parallel }),
    acceptNewHostKeys: settings.acceptNewHostKeys,
    ...(settings.dryRun === true ? { recordNewHostKeys: false } : {}),
    ...hostKeyReporting(settings),
    // Every command a session runs is an event of the run; the reporters show them with -v.
    ...(settings.emit ? { log: (e: CommandLogEvent) => settings.emit?.({ type: "command", ...e }) } : {}),
    ...(settings.connect ? { connect: settings.connect } : {}),
  });
}

function hostKeyReporting(settings: PoolSettings): { onHostKeyAccepted?: (accepted: HostKeyAccepted) => void } {
  if (settings.onHostKeyAccepted) return { onHostKeyAccepted: settings.onHostKeyAccepted };
  const emit = settings.emit;
  return emit ? { onHostKeyAccepted: (a) => emit({ type: "note", level: "warn", message: describeAcceptedHostKey(a) }) } : {};
}

export interface ClusterRun {
  state: ClusterState;
  redactor: Redactor;
  desired: DesiredState;
  bundle: BundleInfo;
  pool: SshPool;
  database: DatabaseEdge;
}

/**
 * `connectEarly`: for a run that connects to every host anyway (provision), the SSH handshakes
 * start now and overlap reading the state (a first run generates the token key, ~1 s), the
 * render and the bundle's checksum.
 */
export async function prepareClusterRun(inv: Inventory, settings: PoolSettings & { connectEarly?: boolean; dryRun?: boolean }): Promise<ClusterRun> {
  // A dry run writes nothing anywhere: the state folder and its caches are only read.
  const persist = settings.dryRun !== true;
  const pool = openClusterPool(inv, settings);
  if (settings.connectEarly) for (const host of pool.hostNames()) void pool.session(host).catch(() => undefined); // its failure is reported where the session is used
  try {
    const redactor = new Redactor().add(...collectSecrets(inv));
    const { state, notes } = await readClusterStateFor(inv, { persist });
    for (const message of notes) settings.emit?.({ type: "note", level: "warn", message });
    redactor.add(state.secretkey, state.tokenPrivateKey);
    if (state.harbor2) redactor.add(state.harbor2.coreSecret, state.harbor2.jobserviceSecret, state.harbor2.csrfKey);
    const desired = renderDesiredState(inv, state);
    const bundle = await readBundleInfo(inv, { persist });
    return { state, redactor, desired, bundle, pool, database: settings.database ?? SERVER_DATABASE };
  } catch (err) {
    await pool.closeAll();
    throw err;
  }
}

/** The cluster state; for Harbor 2.x with the secrets pinned after prepare. */
export async function readClusterStateFor(inv: Inventory, opts: { persist: boolean }): Promise<ClusterStateRead> {
  const read = await readOrCreateClusterState(inv, opts);
  if (!isHarbor2Vm(inv)) return read;
  const harbor2 = await readOrCreatePinnedSecrets(clusterStateDir(inv), opts);
  return { ...read, state: { ...read.state, harbor2 } };
}

export async function readBundleInfo(inv: Inventory, opts: { persist?: boolean } = {}): Promise<BundleInfo> {
  const localPath = inv.data.installer.bundle;
  try {
    const sha256 = await readThroughBundleCache(clusterStateDir(inv), localPath, "sha256", () => sha256OfFile(localPath), opts);
    return { localPath, sha256 };
  } catch (err) {
    throw new HarborHaError(`cannot read the installer bundle ${localPath}: ${(err as Error).message}`, {
      hint: "Download Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz) and point installer.bundle at it.",
    });
  }
}

/** Streamed: a real bundle is ~600 MB, never held in memory. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A fresh marker for this run's shared-storage check: which cluster, when, and a random part no earlier run wrote. */
export function newSharedStorageMarker(inv: Inventory): string {
  return `harbor-ha ${inv.data.cluster.name} ${new Date().toISOString()} ${randomBytes(16).toString("hex")}`;
}

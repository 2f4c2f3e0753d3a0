/**
 * What every run that changes or reads the cluster starts from: the SSH pool for its hosts,
 * and — for runs that may write — the cluster's state, the render, the installer bundle's
 * checksum and a Redactor that knows every secret, inventory and generated alike.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ClusterState, Inventory } from "../inventory/model.js";
import type { EmitEvent } from "../events.js";
import type { HarborNodeSpec, LoadBalancerSpec } from "../inventory/schema.js";
import { Redactor } from "../inventory/secret.js";
import { HarborHaError } from "../errors.js";
import { clusterStateDir, willGenerateTokenKey } from "../secrets/cluster-state.js";
import { readClusterStateFor } from "../secrets/cluster-state-for.js";
import { standInClusterState } from "../secrets/stand-in-state.js";
import { generationOf } from "../harbor/generations.js";
import { readThroughBundleCache } from "../cache/bundle-cache.js";
import { checkInstallerRelease, readInstallerRelease } from "../bundle/installer-release.js";
import type { InstallerRelease } from "../bundle/installer-release.js";
import { renderDesiredState } from "../render/desired-state.js";
import type { DesiredState } from "../desired/types.js";
import { SshPool } from "../remote/pool.js";
import type { CommandLogEvent, ConnectTransport } from "../remote/transport.js";
import { readSshConfigFor, sshTargetFor } from "../remote/target.js";
import { describeAcceptedHostKey } from "../remote/host-keys.js";
import type { HostKeyAccepted } from "../remote/host-keys.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { collectSecrets } from "./collect-secrets.js";
import { SERVER_DATABASE } from "../db/edge.js";
import type { DatabaseEdge } from "../db/edge.js";

/**
 * The edges a run reaches the world through: SSH and MariaDB unless given. The unit tests
 * give an in-memory fake of both, so provision and reconfigure run whole without a lab.
 */
export interface RunEdges {
  connect?: ConnectTransport;
  database?: DatabaseEdge;
  /** Reads (or makes) the cluster's state; the tests hold a first run's key generation back with it. */
  readState?: typeof readClusterStateFor;
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
  const config = readSshConfigFor(inv);
  const targets = (hosts ?? [...inv.data.load_balancers, ...inv.data.harbor_nodes]).map((h) => sshTargetFor(inv, h, config));
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
 * A run as soon as its preflight can start: the pool, the bundle, and what the fact queries are
 * built from; the state and the render still to come when a first run generates its token key.
 */
export interface ClusterRunStart {
  pool: SshPool;
  bundle: BundleInfo;
  database: DatabaseEdge;
  /**
   * The render the preflight's fact queries are built from, at once: the run's own, or — while a
   * cluster's first run generates its token key pair (4096-bit RSA, about a second) — the same
   * render with stand-in secrets (secrets/stand-in-state.ts). The answers are the same: a query
   * carries a file's desired hash only so that a host sends the current content of a differing
   * file that may be shown, and neither a stand-in nor a key made this run equals any host's
   * file. Load balancers and the database part do not depend on the state at all.
   */
  queried: DesiredState;
  /**
   * The run, once the state is read (or generated) and rendered. Settled before the run ends,
   * whatever happens (it may hold the state folder's lock, or be writing the new key).
   */
  ready: Promise<ClusterRun>;
}

/**
 * `connectEarly`: for a run that connects to every host anyway (provision), the SSH handshakes
 * start now and overlap reading the state, the render and the bundle's checksum.
 */
export async function prepareClusterRun(inv: Inventory, settings: PoolSettings & { connectEarly?: boolean; dryRun?: boolean }): Promise<ClusterRun> {
  const start = await startClusterRun(inv, settings);
  return start.ready;
}

/**
 * Starts a run: the pool (its handshakes under way with `connectEarly`), the state read and the
 * bundle's checksum at once. Closes the pool itself only when it throws, or when `ready` fails.
 */
export async function startClusterRun(
  inv: Inventory,
  settings: PoolSettings & { connectEarly?: boolean; dryRun?: boolean },
): Promise<ClusterRunStart> {
  // A dry run writes nothing anywhere: the state folder and its caches are only read.
  const persist = settings.dryRun !== true;
  const pool = openClusterPool(inv, settings);
  // The handshakes start now; a failure is reported where the session is used.
  if (settings.connectEarly) for (const host of pool.hostNames()) void pool.session(host).catch(() => undefined);
  const database = settings.database ?? SERVER_DATABASE;
  const generating = await willGenerateTokenKey(inv);
  const stateRead = (settings.readState ?? readClusterStateFor)(inv, { persist });
  // Awaited (and its failure reported) through `ready` or just below; never left unhandled meanwhile.
  stateRead.catch(() => undefined);
  let bundle: BundleInfo;
  try {
    bundle = await readBundleInfo(inv, { persist });
  } catch (err) {
    await stateRead.catch(() => undefined);
    await pool.closeAll();
    throw err;
  }
  const ready = stateRead
    .then(({ state, notes }) => {
      for (const message of notes) settings.emit?.({ type: "note", level: "warn", message });
      return { state, redactor: redactorFor(inv, state), desired: renderDesiredState(inv, state), bundle, pool, database };
    })
    .catch(async (err: unknown) => {
      await pool.closeAll();
      throw err;
    });
  ready.catch(() => undefined);
  if (!generating) return { pool, bundle, database, queried: (await ready).desired, ready };
  try {
    const queried = renderDesiredState(inv, standInClusterState({ harbor2: generationOf(inv).pinsSecrets }));
    return { pool, bundle, database, queried, ready };
  } catch (err) {
    // The caller never gets `ready`: it is settled here, and the pool closed.
    await ready.then(
      () => pool.closeAll(),
      () => undefined,
    );
    throw err;
  }
}

/** Every secret of a run: the inventory's and the cluster state's. */
function redactorFor(inv: Inventory, state: ClusterState): Redactor {
  const redactor = new Redactor().add(...collectSecrets(inv), state.secretkey, state.tokenPrivateKey);
  if (state.harbor2) redactor.add(state.harbor2.coreSecret, state.harbor2.jobserviceSecret, state.harbor2.csrfKey);
  return redactor;
}

export async function readBundleInfo(inv: Inventory, opts: { persist?: boolean } = {}): Promise<BundleInfo> {
  const localPath = inv.data.installer.bundle;
  // A 2.x bundle must be harbor_version exactly: another release's install.sh would install that one.
  if (generationOf(inv).generation === 2) {
    const found = await readThroughBundleCache(
      clusterStateDir(inv),
      localPath,
      "harbor2-release",
      async () => JSON.stringify(await readInstallerRelease(localPath)),
      opts,
    );
    checkInstallerRelease(localPath, JSON.parse(found) as InstallerRelease, inv.data.cluster.harbor_version);
  }
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

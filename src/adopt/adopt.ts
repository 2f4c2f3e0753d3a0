/**
 * `adopt`: bring a running cluster harbor-ha did not build under its care without replacing a
 * secret. Reads every host once (read-only: one connection each, facts in one round trip), the
 * registry database (read-only), decides (plan/adopt.ts) and keeps the nodes' own secrets in the
 * state folder (secrets/adopt-state.ts). Writes nothing on any host; a dry run nothing locally.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import type { Inventory } from "../inventory/model.js";
import { generationOf } from "../harbor/generations.js";
import type { FactQuery } from "../facts/queries.js";
import type { HostFacts } from "../facts/types.js";
import { gatherAllFacts } from "../gather/facts.js";
import { openClusterPool } from "../run/cluster-run.js";
import type { HostKeyAccepted } from "../remote/host-keys.js";
import type { EmitEvent } from "../events.js";
import { HarborHaError, UsageError } from "../errors.js";
import { renderAdoptedInventory } from "../plan/adopt-inventory.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { keepAdoptedSecrets } from "../secrets/adopt-state.js";
import type { AdoptStateResult } from "../secrets/adopt-state.js";
import { readAdoptDatabase } from "../db/adopt-read.js";
import type { AdoptDatabaseRead } from "../db/adopt-read.js";
import type { SshPool } from "../remote/pool.js";
import { adoptSecretPaths, decideAdoption } from "../plan/adopt.js";
import type { AdoptDecision } from "../plan/adopt.js";
import { HAPROXY_CFG_PATH, KEEPALIVED_CONF_PATH, readBackCluster } from "../plan/adopt-readback.js";
import type { FoundCluster } from "../plan/adopt-readback.js";
import { adoptDifferences } from "../plan/adopt-differences.js";
import type { AdoptDifference } from "../plan/adopt-differences.js";

export interface AdoptOptions {
  dryRun: boolean;
  parallel: number;
  acceptNewHostKeys: boolean;
  onHostKeyAccepted?: (accepted: HostKeyAccepted) => void;
  emit?: EmitEvent;
  /** How the database is read (tests give a fake). */
  readDatabase?: (inv: Inventory, pool: SshPool) => Promise<AdoptDatabaseRead>;
  /** How hosts are read (tests give fakes): facts by host, or the failures. */
  gather?: (pool: SshPool, queries: ReadonlyMap<string, FactQuery[]>) => Promise<{ facts: Map<string, HostFacts>; failures: Map<string, Error> }>;
  /** --write-inventory: where to write an inventory of what was found (beside the inventory). */
  writeInventory?: string;
  /** The SSH pool (tests give one over fake hosts). */
  pool?: SshPool;
}

export interface AdoptReport {
  cluster: string;
  stateDir: string;
  dryRun: boolean;
  decision: AdoptDecision;
  /** Set when the nodes agreed: what the state folder got (or would get). */
  kept?: AdoptStateResult;
  database: { schemaVersion: string; encryptedSettings: number } | { unreachable: string };
  found: FoundCluster;
  differences: AdoptDifference[];
  /** --write-inventory: the file, and whether it was written (a dry run, or nodes that disagree: not). */
  inventory?: { path: string; written: boolean };
}

/** What adopt asks of each host: secrets and configuration read whole, the registry's mount. */
export function adoptQueries(inv: Inventory): Map<string, FactQuery[]> {
  const g = generationOf(inv);
  const nodeQueries: FactQuery[] = [
    ...[...adoptSecretPaths(g.adoptSources), g.adoptReadBack.configFile, g.adoptReadBack.composeFile].map((path) => ({
      kind: "read" as const,
      path,
    })),
    ...(g.sharedRegistryPath === undefined
      ? []
      : [
          { kind: "mount" as const, target: g.sharedRegistryPath },
          { kind: "fstab" as const, target: g.sharedRegistryPath },
        ]),
    { kind: "http", url: g.localHealthUrl },
  ];
  const lbQueries: FactQuery[] = [{ kind: "read", path: KEEPALIVED_CONF_PATH }, { kind: "read", path: HAPROXY_CFG_PATH }, { kind: "keepalived" }];
  return new Map([
    ...inv.data.load_balancers.map((lb) => [lb.name, lbQueries] as const),
    ...inv.data.harbor_nodes.map((n) => [n.name, nodeQueries] as const),
  ]);
}

/** --write-inventory's file, checked before any host is read: beside the inventory (its relative paths and state folder hold), new. */
async function inventoryTarget(inv: Inventory, file: string): Promise<string> {
  const path = resolve(file);
  if (dirname(path) !== inv.dir)
    throw new UsageError(
      `--write-inventory ${file}: must be in the inventory's folder ${inv.dir}`,
      "The written inventory keeps the relative paths of yours and shares its state folder (.harbor-ha/ beside it): give a file name in that folder.",
    );
  const taken = await readFile(path).then(
    () => true,
    () => false,
  );
  if (taken)
    throw new UsageError(`--write-inventory ${file}: exists already; adopt writes only a new file`, "Give another name, or move the file away.");
  return path;
}

async function writeAdoptedInventory(inv: Inventory, path: string, found: FoundCluster, sources: readonly { stateFile: string }[]): Promise<void> {
  const original = await readFile(inv.path, "utf8");
  const state = relative(inv.dir, clusterStateDir(inv));
  const hasTls = sources.some((s) => s.stateFile === "server.crt");
  const text = renderAdoptedInventory(
    original,
    inv,
    found,
    hasTls ? { tls: { certificate: `${state}/server.crt`, key: `${state}/server.key` } } : {},
  );
  // It may hold the inventory's own inline secrets, as the inventory does: for its owner only.
  await writeFile(path, text, { mode: 0o600, flag: "wx" });
}

export async function adoptCluster(inv: Inventory, opts: AdoptOptions): Promise<AdoptReport> {
  const g = generationOf(inv);
  const inventoryPath = opts.writeInventory === undefined ? undefined : await inventoryTarget(inv, opts.writeInventory);
  const pool =
    opts.pool ??
    openClusterPool(inv, {
      parallel: opts.parallel,
      acceptNewHostKeys: opts.acceptNewHostKeys,
      dryRun: opts.dryRun,
      ...(opts.onHostKeyAccepted ? { onHostKeyAccepted: opts.onHostKeyAccepted } : {}),
      ...(opts.emit ? { emit: opts.emit } : {}),
    });
  try {
    const gather = opts.gather ?? ((p, q) => gatherAllFacts(p, q));
    const readDb = opts.readDatabase ?? ((i, p) => readAdoptDatabase(generationOf(i).desiredDatabase(), p));
    const [gathered, database] = await Promise.all([
      gather(pool, adoptQueries(inv)),
      readDb(inv, pool).then(
        (d) => ({ ok: true as const, d }),
        (err: Error) => ({ ok: false as const, reason: err.message }),
      ),
    ]);
    if (gathered.failures.size > 0) {
      const lines = [...gathered.failures].map(([host, e]) => `${host}: ${e.message}`);
      throw new HarborHaError(`adopt reads every host, and ${gathered.failures.size} could not be read:\n  ${lines.join("\n  ")}`, {
        hint: "Make every host reachable (or remove a host that is gone from the inventory) and run adopt again; nothing was written.",
      });
    }
    const encrypted = database.ok ? database.d.encrypted : [];
    const decision = decideAdoption(
      g.adoptSources,
      gathered.facts,
      inv.data.harbor_nodes.map((n) => n.name),
      encrypted,
      randomBytes(32),
    );
    const found = readBackCluster(inv, gathered.facts, { ...g.adoptReadBack, registryPath: g.sharedRegistryPath });
    const report: AdoptReport = {
      cluster: inv.data.cluster.name,
      stateDir: clusterStateDir(inv),
      dryRun: opts.dryRun,
      decision,
      database: database.ok ? { schemaVersion: database.d.schemaVersion, encryptedSettings: encrypted.length } : { unreachable: database.reason },
      found,
      differences: adoptDifferences(inv, found, g.adoptReadBack.configFile),
    };
    if (inventoryPath !== undefined) report.inventory = { path: inventoryPath, written: false };
    if (!decision.agreement.agreed) return report;
    report.kept = await keepAdoptedSecrets(clusterStateDir(inv), g.adoptSources, decision.agreement.secrets, { persist: !opts.dryRun });
    if (inventoryPath !== undefined && !opts.dryRun) {
      await writeAdoptedInventory(inv, inventoryPath, found, g.adoptSources);
      report.inventory = { path: inventoryPath, written: true };
    }
    return report;
  } finally {
    await pool.closeAll();
  }
}

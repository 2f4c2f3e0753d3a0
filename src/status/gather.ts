/**
 * `status`, the read-only half: facts from every host (one round trip each), check.sh
 * for every node from every load balancer, and the IPVS table where there is one —
 * all at once. Changes nothing anywhere, takes no lock.
 */
import type { Inventory } from "../inventory/model.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { readExistingClusterStateFor } from "../secrets/cluster-state-for.js";
import { modeOf } from "../lb/modes.js";
import { lbShellOf } from "../execute/lb-shell.js";
import { renderDesiredState } from "../render/desired-state.js";
import { SshPool } from "../remote/pool.js";
import { queriesFor } from "../plan/queries.js";
import type { FactQuery } from "../facts/queries.js";
import { gatherFactsKnowing } from "../gather/facts.js";
import { gatherNodeChecks } from "../gather/verify.js";
import { LOCK_DIR, LOCK_OWNER_PATH } from "../lock/commands.js";
import { HarborHaError } from "../errors.js";
import { buildStatusReport } from "./report.js";
import type { DatabaseStatus, StatusReport } from "./types.js";
import type { DesiredDatabase } from "../desired/types.js";
import { preflightDatabase } from "../db/edge.js";
import { openClusterPool } from "../run/cluster-run.js";
import type { HostKeyAccepted } from "../remote/host-keys.js";
import type { EmitEvent } from "../events.js";

export interface StatusOptions {
  parallel: number;
  acceptNewHostKeys: boolean;
  /** A host key trusted on first use, to report with its fingerprint. */
  onHostKeyAccepted?: (accepted: HostKeyAccepted) => void;
  /** The run's events: status has only the commands it runs (-v shows them). */
  emit?: EmitEvent;
}

export async function gatherStatus(inv: Inventory, opts: StatusOptions): Promise<StatusReport> {
  const state = await readExistingClusterStateFor(inv).catch((err: Error) => {
    throw new HarborHaError(`no cluster state for ${inv.data.cluster.name} in ${clusterStateDir(inv)}: ${err.message}`, {
      hint:
        "status compares the hosts with what provision wrote from that state: " +
        "run harbor-ha provision first, on this machine (or copy the state folder here).",
    });
  });
  const desired = renderDesiredState(inv, state);
  // The installer bundle is not read: status only reports the files it renders.
  const bundle = { localPath: inv.data.installer.bundle, sha256: "" };
  const queries = new Map<string, FactQuery[]>(desired.hosts.map((d) => [d.host.name, queriesFor(inv, d, bundle)]));
  for (const lb of inv.data.load_balancers) {
    queries.get(lb.name)?.push({ kind: "dir", path: LOCK_DIR }, { kind: "file", path: LOCK_OWNER_PATH, desiredSha256: "", showContent: true });
  }
  const pool = openClusterPool(inv, opts);
  try {
    const lbs = inv.data.load_balancers.map((l) => l.name);
    const [gathered, checks, modeReading, database] = await Promise.all([
      // What earlier runs learnt (program versions, the bundle's checksum), read, never written.
      gatherFactsKnowing(pool, queries, clusterStateDir(inv), { persist: false }),
      gatherNodeChecks(pool, inv),
      modeOf(inv).readStatus(lbShellOf(pool, lbs)),
      gatherDatabaseStatus(inv, desired.database, pool),
    ]);
    return buildStatusReport({
      inv,
      desired,
      facts: gathered.facts,
      failures: gathered.failures,
      checks,
      modeReading,
      database,
    });
  } finally {
    await pool.closeAll();
  }
}

/** The registry database as provision's preflight judges it (read-only; reinitialising never considered). */
async function gatherDatabaseStatus(inv: Inventory, desired: DesiredDatabase, pool: SshPool): Promise<DatabaseStatus> {
  try {
    // status changes nothing anywhere, not even the state folder's bundle cache.
    const pre = await preflightDatabase(inv, desired, pool, false, { persist: false });
    const state = pre.plan.action === "skip" ? "ok" : pre.plan.action === "load" || pre.plan.action === "create" ? "absent" : "refused";
    return { state, detail: pre.plan.reason };
  } catch (err) {
    return { state: "unreachable", detail: (err as Error).message };
  }
}

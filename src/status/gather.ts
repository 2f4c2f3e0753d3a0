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
  /** --limit: only these hosts are read, by name; the cluster-wide verdicts that need the others are not given. */
  limit?: readonly string[];
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
  const limit = opts.limit;
  const inScope = (name: string): boolean => !limit || limit.includes(name);
  const queries = new Map<string, FactQuery[]>(
    desired.hosts.filter((d) => inScope(d.host.name)).map((d) => [d.host.name, queriesFor(inv, d, bundle)]),
  );
  for (const lb of inv.data.load_balancers) {
    queries.get(lb.name)?.push({ kind: "dir", path: LOCK_DIR }, { kind: "file", path: LOCK_OWNER_PATH, desiredSha256: "", showContent: true });
  }
  // Only the hosts inside --limit are connected to.
  const pool = openClusterPool(
    inv,
    opts,
    [...inv.data.load_balancers, ...inv.data.harbor_nodes].filter((h) => inScope(h.name)),
  );
  try {
    const lbs = inv.data.load_balancers.map((l) => l.name).filter(inScope);
    const [gathered, checks, modeReading, database] = await Promise.all([
      // What earlier runs learnt (program versions, the bundle's checksum), read, never written.
      gatherFactsKnowing(pool, queries, clusterStateDir(inv), { persist: false }),
      gatherNodeChecks(pool, inv, limit ? { lbs, nodes: limit } : {}),
      modeOf(inv).readStatus(lbShellOf(pool, lbs)),
      // The database is the whole cluster's (and may be reached through a host outside the limit).
      limit ? undefined : gatherDatabaseStatus(inv, desired.database, pool),
    ]);
    return buildStatusReport({
      inv,
      desired,
      facts: gathered.facts,
      failures: gathered.failures,
      checks,
      modeReading,
      ...(database ? { database } : {}),
      ...(limit ? { limit } : {}),
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

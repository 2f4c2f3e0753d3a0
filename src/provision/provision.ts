/**
 * provision: the whole HA installation, as read → plan → apply. The preflight reads (every
 * host's facts, one round trip each in parallel, and the database's state), a pure function
 * plans, and — unless it is a dry run, which returns the plan and never applies — the same plan
 * is applied under the cluster lock: database, load balancers, storage, Harbor nodes, verify.
 */
import type { Inventory } from "../inventory/model.js";
import { queriesFor } from "../plan/queries.js";
import { gatherFactsKnowing } from "../gather/facts.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { lookAtCluster } from "../gather/verify.js";
import type { EmitEvent } from "../events.js";
import { newSharedStorageMarker, startClusterRun } from "../run/cluster-run.js";
import type { ClusterRunStart, RunEdges } from "../run/cluster-run.js";
import { warningsTo, withClusterRun } from "../run/with-cluster-run.js";
import { interruptedBeforeChanges } from "../run/interrupt.js";
import { planProvision } from "./plan-provision.js";
import type { ClusterReading, ProvisionPlanContext } from "./plan-provision.js";
import { applyProvisionPlan } from "./apply-plan.js";
import { dryRunOutcomes, failureProblem, preflightFailure } from "./result.js";
import type { ProvisionResult } from "./result.js";

export { ProvisionFailed } from "./result.js";
export type { ProvisionResult } from "./result.js";

export interface ProvisionOptions extends RunEdges {
  dryRun: boolean;
  parallel: number;
  acceptNewHostKeys: boolean;
  reinitializeDatabase: boolean;
  emit: EmitEvent;
  isInterrupted: () => boolean;
  /** Break a cluster lock left by a dead run (--force-unlock). */
  forceUnlock?: boolean;
  /** How long Harbor may take to start on a node after install.sh (--health-timeout-s). */
  startupTimeoutMs?: number;
  /** Serving nodes a run may restart at once (install.sh); more is refused, for reconfigure to roll (--serial, default 1). */
  serial?: number;
  /** --limit: the hosts the run may change, by name; every host is still read (plan/host-scope.ts). */
  limit?: readonly string[];
}

export async function provision(inv: Inventory, opts: ProvisionOptions): Promise<ProvisionResult> {
  const start = await startClusterRun(inv, { ...opts, connectEarly: true });
  const settings = { command: "provision", forceUnlock: opts.forceUnlock ?? false, isInterrupted: opts.isInterrupted, ...warningsTo(opts.emit) };
  return withClusterRun(start.pool, inv, settings, async (cluster) => {
    opts.emit({ type: "phase", phase: "preflight", description: "connecting and gathering facts (read-only)" });
    const t0 = Date.now();
    // Read-only, at once with the preflight: a run that then finds nothing to change reports this
    // look (the VIP held by one load balancer, check.sh passing everywhere) instead of looking again.
    const early = opts.dryRun ? undefined : lookAtCluster(start.pool, inv).catch(() => undefined);
    try {
      // The reads overlap a first run's token key generation; the plan needs the run's own render.
      const reading = await readCluster(start, inv, opts);
      // A first run plans once its token key pair exists. Planning the work that does not read it
      // with stand-in secrets, to start it sooner, gained nothing measurable (README: Architecture).
      const { desired, redactor } = await start.ready;
      const context: ProvisionPlanContext = {
        inv,
        redactor,
        bundle: start.bundle,
        sharedStorageMarker: newSharedStorageMarker(inv),
        ...(opts.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: opts.startupTimeoutMs }),
        serial: opts.serial ?? 1,
        dryRun: opts.dryRun,
        ...(opts.limit ? { limit: opts.limit } : {}),
      };
      const planned = planProvision(desired, reading, context);
      for (const message of planned.warnings) opts.emit({ type: "note", level: "warn", message });
      const preflightMs = Date.now() - t0;
      const { plan, database, changed } = planned;
      if (opts.dryRun) return { plan, database, changed, outcomes: dryRunOutcomes(plan, preflightMs), redactor };
      // A run with nothing to change writes nothing, like --dry-run: it only verifies, and needs no
      // lock (unless asked to break a dead run's lock: --force-unlock still does that).
      const apply = {
        pool: start.pool,
        database: start.database,
        facts: reading.facts,
        emit: opts.emit,
        isInterrupted: opts.isInterrupted,
        early,
        inv,
        redactor,
        preflightMs,
        ...(opts.limit ? { limit: opts.limit } : {}),
        ...(opts.startupTimeoutMs === undefined ? {} : { gateTimeoutMs: opts.startupTimeoutMs }),
      };
      return await cluster.changing((audit) => applyProvisionPlan(planned, apply, audit), { lock: planned.changed || opts.forceUnlock === true });
    } finally {
      await early;
      // A preflight that failed first still lets the state read finish (its lock, a key being written).
      await start.ready.catch(() => undefined);
    }
  });
}

/**
 * The preflight's reads: every host's facts and the database's state, independent, gathered at
 * once. Throws a ProvisionFailed naming each host (or the database) that could not be read.
 */
async function readCluster(start: ClusterRunStart, inv: Inventory, opts: ProvisionOptions): Promise<ClusterReading> {
  const { queried, bundle, pool, database: db } = start;
  const queries = new Map(queried.hosts.map((d) => [d.host.name, queriesFor(inv, d, bundle)]));
  const [gathered, databaseOrError] = await Promise.all([
    gatherFactsKnowing(pool, queries, clusterStateDir(inv), { persist: !opts.dryRun }),
    db.preflight(inv, queried.database, pool, opts.reinitializeDatabase, { persist: !opts.dryRun }).catch((e: Error) => e),
  ]);
  if (opts.isInterrupted()) throw interruptedBeforeChanges("preflight");
  if (gathered.failures.size > 0)
    throw preflightFailure(
      [...gathered.failures].map(([host, e]) => failureProblem(host, e)),
      queried,
    );
  if (databaseOrError instanceof Error) throw preflightFailure([failureProblem("database", databaseOrError)], queried);
  return { facts: gathered.facts, database: databaseOrError };
}

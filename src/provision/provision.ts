/**
 * provision: the whole HA installation, in phases. Gathers facts (one round trip per
 * host, in parallel), plans (pure), and — unless it is a dry run — applies that same
 * plan: database, load balancers, storage, Harbor nodes, then verifies.
 */
import type { Inventory } from "../inventory/model.js";
import { Redactor } from "../inventory/secret.js";
import { EXIT_INTERRUPTED, HarborHaError, InterruptedError } from "../errors.js";
import type { DesiredState } from "../render/types.js";
import { SshPool } from "../remote/pool.js";
import type { CommandLogEvent } from "../remote/transport.js";
import { planCluster } from "../plan/plan-cluster.js";
import { restartLimitProblem } from "../plan/restart-limit.js";
import { queriesFor } from "../plan/queries.js";
import { PHASES } from "../plan/types.js";
import type { HostPlan, Phase, Plan } from "../plan/types.js";
import type { HostFacts } from "../facts/types.js";
import { vipParts } from "../inventory/model.js";
import type { DatabaseApplyResult } from "../db/apply.js";
import type { DatabasePreflight } from "../apply/database.js";
import { gatherAllFacts } from "../apply/gather.js";
import { VersionCache } from "../state/version-cache.js";
import { clusterStateDir } from "../state/cluster-state.js";
import { runPhase } from "../apply/run-phase.js";
import type { PhaseResult } from "../apply/run-phase.js";
import { gatherVipHolders, lookAtCluster, verifyNodesHealthy, verifySingleVipHolder } from "../apply/verify.js";
import type { ClusterLook } from "../apply/verify.js";
import { rollLoadBalancers } from "../apply/loadbalancer-roll.js";
import { checkKeepalivedStep } from "../apply/keepalived-running.js";
import type { NodeCheck } from "../apply/verify.js";
import type { EmitEvent, HostOutcome } from "../apply/events.js";
import { newSharedStorageMarker, prepareClusterRun } from "../apply/cluster-run.js";
import type { ClusterRun, RunEdges } from "../apply/cluster-run.js";
import { warningsTo, withClusterRun } from "../apply/with-cluster-run.js";
import type { ClusterRunScope } from "../apply/with-cluster-run.js";
import { describeInterruptedPhase, interruptedBeforeChanges, RUN_AGAIN_HINT } from "../apply/interrupt.js";

export interface ProvisionOptions extends RunEdges {
  dryRun: boolean;
  parallel: number;
  acceptNewHostKeys: boolean;
  reinitializeDatabase: boolean;
  emit: EmitEvent;
  log?: (e: CommandLogEvent) => void;
  isInterrupted: () => boolean;
  /** Break a cluster lock left by a dead run (--force-unlock). */
  forceUnlock?: boolean;
  /** How long Harbor may take to start on a node after install.sh (--health-timeout-s). */
  startupTimeoutMs?: number;
  /** Serving nodes a run may restart at once (install.sh); more is refused, for reconfigure to roll (--serial, default 1). */
  serial?: number;
}

export interface ProvisionResult {
  plan: Plan;
  database: DatabasePreflight;
  databaseResult?: DatabaseApplyResult;
  outcomes: HostOutcome[];
  vipHolder?: string;
  nodeChecks?: NodeCheck[];
  /** Whether anything changed (or, in a dry run, would change). */
  changed: boolean;
  redactor: Redactor;
}

/** A failed run: carries what was done so far, for the summary and --json. */
export class ProvisionFailed extends HarborHaError {
  constructor(
    message: string,
    readonly partial: Partial<ProvisionResult> & { outcomes: HostOutcome[] },
    hint: string,
    exitCode = 1,
  ) {
    super(message, { hint, exitCode });
  }
}

export async function provision(inv: Inventory, opts: ProvisionOptions): Promise<ProvisionResult> {
  const run = await prepareClusterRun(inv, { ...opts, connectEarly: true });
  const settings = { command: "provision", forceUnlock: opts.forceUnlock ?? false, isInterrupted: opts.isInterrupted, ...warningsTo(opts.emit) };
  return withClusterRun(run.pool, inv, settings, (cluster) => provisionOn(cluster, run, inv, opts));
}

async function provisionOn(cluster: ClusterRunScope, run: ClusterRun, inv: Inventory, opts: ProvisionOptions): Promise<ProvisionResult> {
  const { redactor, desired, bundle, pool, database: db } = run;
  const started = new Map<string, number>();
  let early: Promise<ClusterLook | undefined> | undefined;
  const done = new Map<string, string[]>();
  try {
    opts.emit({ type: "phase", phase: "preflight", description: "connecting and gathering facts (read-only)" });
    const t0 = Date.now();
    const queries = new Map(desired.hosts.map((d) => [d.host.name, queriesFor(inv, d, bundle)]));
    // Read-only, at once with the preflight: a run that then finds nothing to change reports this
    // look (the VIP held by one load balancer, check.sh passing everywhere) instead of looking again.
    if (!opts.dryRun) early = lookAtCluster(pool, inv).catch(() => undefined);
    // The hosts' facts and the database's state are independent reads: gather them at once.
    const versions = await VersionCache.load(clusterStateDir(inv));
    const [gathered, databaseOrError] = await Promise.all([
      gatherAllFacts(pool, queries, versions).finally(() => (opts.dryRun ? undefined : versions.save())),
      db.preflight(inv, desired.database, pool, opts.reinitializeDatabase, { persist: !opts.dryRun }).catch((e: Error) => e),
    ]);
    if (opts.isInterrupted()) throw interruptedBeforeChanges("preflight");
    if (gathered.failures.size > 0)
      throw preflightFailure(
        [...gathered.failures].map(([host, e]) => describeFailure(host, e)),
        desired,
      );
    if (databaseOrError instanceof Error) throw preflightFailure([describeFailure("database", databaseOrError)], desired);
    const database = databaseOrError;
    const plan = planCluster(desired, gathered.facts, {
      inv,
      redactor,
      bundle,
      sharedStorageMarker: newSharedStorageMarker(inv),
      ...(opts.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: opts.startupTimeoutMs }),
    });
    if (database.plan.action === "refuse") throw preflightFailure([`database: ${database.plan.reason}`], desired);
    // A dry run still shows the plan (the operator wants to see the change), saying it would be refused.
    const restarts = restartLimitProblem(inv, plan, gathered.facts, opts.serial ?? 1);
    if (restarts && opts.dryRun)
      opts.emit({ type: "note", level: "warn", message: `provision would refuse this plan: ${restarts.message}\n  → ${restarts.hint}` });
    else if (restarts) plan.problems.push(restarts);
    if (plan.problems.length > 0)
      throw preflightFailure(
        plan.problems.map((p) => `${p.host}: ${p.message}\n    → ${p.hint}`),
        desired,
      );
    for (const h of desired.hosts) started.set(h.host.name, Date.now() - t0);

    const changed = plan.hosts.some((h) => h.steps.length > 0) || database.plan.action !== "skip";
    if (opts.dryRun) {
      const outcomes = plan.hosts.map((h) => ({
        host: h.host.name,
        role: h.host.role,
        status: h.steps.length > 0 ? ("would change" as const) : ("unchanged" as const),
        changes: h.steps.map((s) => s.title),
        ms: started.get(h.host.name) ?? 0,
      }));
      return { plan, database, outcomes, changed, redactor };
    }

    // After the read-only preflight, before the first write: one operator changes the cluster at a time.
    // A run with nothing to change writes nothing, like --dry-run: it only verifies, and needs no
    // lock (unless asked to break a dead run's lock: --force-unlock still does that).
    return await cluster.changing(
      async (audit) => {
        const result: ProvisionResult = { plan, database, outcomes: [], changed, redactor };
        if (database.plan.action !== "skip") {
          // The row counts about to be lost, shown before the drop (the phase line below repeats the plan).
          if (database.plan.action === "reinitialize") opts.emit({ type: "note", level: "warn", message: database.plan.reason });
          opts.emit({ type: "phase", phase: "database", description: database.plan.reason });
          result.databaseResult = await db.apply(database);
          opts.emit({ type: "note", level: "info", message: result.databaseResult.message });
        } else {
          opts.emit({ type: "note", level: "info", message: `database: ${database.plan.reason}` });
        }

        const failures = new Map<string, Error>();
        const failedPhases = new Set<Phase>();
        let lastPhase: Phase = "loadbalancers";
        const runOnePhase = async (phase: Phase): Promise<void> => {
          lastPhase = phase;
          opts.emit({ type: "phase", phase, description: PHASE_DESCRIPTIONS[phase] });
          const timer = Date.now();
          const r =
            phase === "loadbalancers"
              ? await applyLoadBalancers(pool, inv, plan, opts.emit, opts.isInterrupted)
              : await runPhase(pool, plan, phase, opts.emit, opts.isInterrupted);
          for (const [h, titles] of r.done) {
            done.set(h, [...(done.get(h) ?? []), ...titles]);
            audit.record(h, titles);
          }
          for (const [h, e] of r.failures) failures.set(h, e);
          if (r.failures.size > 0) failedPhases.add(phase);
          for (const h of r.done.keys()) started.set(h, (started.get(h) ?? 0) + (Date.now() - timer));
          // Checked here when the load balancers changed (a running cluster's nodes wait for it); else with the final verify.
          if (phase === "loadbalancers" && r.done.size > 0 && failures.size === 0 && !opts.isInterrupted()) {
            result.vipHolder = await verifySingleVipHolder(pool, inv);
            opts.emit({ type: "note", level: "info", message: `VIP ${inv.data.cluster.vip} is held by ${result.vipHolder}` });
          }
        };
        // A phase starts only while nothing has failed anywhere (no step, no VIP check) and no Ctrl-C came.
        let stopped = false;
        const runPhases = async (phases: readonly Phase[]): Promise<void> => {
          for (const phase of phases) {
            if (stopped || failures.size > 0 || opts.isInterrupted()) return;
            await runOnePhase(phase).catch((e: unknown) => {
              stopped = true;
              throw e;
            });
          }
        };
        if (vipServed(inv, gathered.facts)) {
          // A running cluster: the load balancers roll first and the VIP is checked before any node changes.
          await runPhases(PHASES);
        } else {
          // Nobody serves the VIP yet: the nodes' storage and Harbor do not depend on it, so they do
          // not wait for the VRRP election; settings (and the final verify) start when both are done.
          const tracks = await Promise.allSettled([
            runPhases(["loadbalancers"]),
            runPhases(PHASES.filter((p) => p !== "loadbalancers" && p !== "settings")),
          ]);
          for (const t of tracks) if (t.status === "rejected") throw t.reason;
          await runPhases(["settings"]);
        }
        if (failures.size > 0 || opts.isInterrupted()) {
          result.outcomes = outcomesOf(plan, done, failures, started);
          // Ctrl-C is said to be one: what finished, what did not, and that running again finishes it.
          if (opts.isInterrupted())
            throw new ProvisionFailed(describeInterruptedPhase(plan, lastPhase, done, failures), result, RUN_AGAIN_HINT, EXIT_INTERRUPTED);
          throw new ProvisionFailed(
            `${[...failedPhases].join(" and ") || "the run"} failed on ${[...failures.keys()].join(", ") || "(interrupted)"}; later phases did not start`,
            result,
            "Fix the cause shown above and run provision again: steps already done are skipped, the rest are planned again.",
          );
        }
        opts.emit({ type: "phase", phase: "verify", description: "check.sh for every Harbor node from every load balancer" });
        const look = changed ? undefined : await early;
        if (look && look.holders.length === 1 && look.checks.every((c) => c.ok)) {
          result.vipHolder = look.holders[0];
          result.nodeChecks = look.checks;
        } else {
          const [vipHolder, nodeChecks] = await Promise.all([result.vipHolder ?? verifySingleVipHolder(pool, inv), verifyNodesHealthy(pool, inv)]);
          result.vipHolder = vipHolder;
          result.nodeChecks = nodeChecks;
        }
        result.outcomes = outcomesOf(plan, done, failures, started);
        return result;
      },
      { lock: changed || opts.forceUnlock === true },
    );
  } finally {
    await early;
  }
}

/**
 * The load balancers' phase. A cluster whose VIP is served already rolls them one at a time
 * (backups first, the VIP holder last), each checked to still run keepalived before the next:
 * one bad value must never take keepalived down on every load balancer at once. A fresh
 * cluster (nobody holds the VIP, nothing to protect) changes them in parallel, then checks
 * that keepalived runs on each.
 */
async function applyLoadBalancers(pool: SshPool, inv: Inventory, plan: Plan, emit: EmitEvent, isInterrupted: () => boolean): Promise<PhaseResult> {
  const lbPlans = plan.hosts.filter((h) => h.host.role === "loadbalancer" && h.steps.some((s) => s.phase === "loadbalancers"));
  if (lbPlans.length === 0) return { done: new Map(), failures: new Map() };
  const holders = await gatherVipHolders(pool, inv);
  if (holders.length > 0) {
    const only: HostPlan[] = lbPlans.map((h) => ({ ...h, steps: h.steps.filter((s) => s.phase === "loadbalancers") }));
    try {
      return { done: (await rollLoadBalancers(pool, inv, only, emit, isInterrupted)).done, failures: new Map() };
    } catch (e) {
      const failed = lbPlans.find((h) => (e as Error).message.startsWith(h.host.name))?.host.name ?? "loadbalancers";
      return { done: new Map(), failures: new Map([[failed, e as Error]]) };
    }
  }
  const r = await runPhase(pool, plan, "loadbalancers", emit, isInterrupted);
  if (r.failures.size > 0) return r;
  const checks = await Promise.allSettled(lbPlans.map((h) => checkKeepalivedStep(pool, h.host.name, emit)));
  const failures = new Map<string, Error>();
  checks.forEach((c, i) => {
    if (c.status === "rejected") failures.set(lbPlans[i]!.host.name, c.reason as Error);
  });
  return { done: r.done, failures };
}

/** Whether a load balancer held the VIP when the facts were gathered (a cluster that serves). */
function vipServed(inv: Inventory, facts: ReadonlyMap<string, HostFacts>): boolean {
  const vip = vipParts(inv).address;
  return inv.data.load_balancers.some((l) => facts.get(l.name)?.vips[vip] === true);
}

const PHASE_DESCRIPTIONS: Record<(typeof PHASES)[number], string> = {
  loadbalancers: "keepalived, check.sh, kernel settings; exactly one VIP holder",
  storage: "shared storage for /data/registry and /data/job_logs",
  "storage-check": "every node sees the check marker one node wrote into the registry's storage (shared), before any install",
  harbor: "certificates, shared secrets, harbor.cfg, installer, VIP acceptance rules; Harbor's start-up",
  settings: "settings Harbor keeps in its database, through its API, once, cluster-wide",
};

function preflightFailure(lines: string[], desired: DesiredState): ProvisionFailed {
  const outcomes: HostOutcome[] = desired.hosts.map((h) => ({ host: h.host.name, role: h.host.role, status: "not started", changes: [], ms: 0 }));
  return new ProvisionFailed(
    `preflight failed; nothing was changed on any host:\n  ${lines.join("\n  ")}`,
    { outcomes },
    "Fix the problems above and run again.",
  );
}

/** "host: message" (once, even when the message names the host), then what to do. */
function describeFailure(host: string, e: Error): string {
  const message = e.message.startsWith(host) ? e.message : `${host}: ${e.message}`;
  return e instanceof HarborHaError && e.hint ? `${message}\n    → ${e.hint}` : message;
}

function outcomesOf(
  plan: Plan,
  done: ReadonlyMap<string, string[]>,
  failures: ReadonlyMap<string, Error>,
  ms: ReadonlyMap<string, number>,
): HostOutcome[] {
  return plan.hosts.map((h) => {
    const failed = failures.get(h.host.name);
    const changes = done.get(h.host.name) ?? [];
    const base = { host: h.host.name, role: h.host.role, changes, ms: ms.get(h.host.name) ?? 0 };
    // A host Ctrl-C stopped before its next step did not fail: it is unfinished.
    if (failed instanceof InterruptedError) return { ...base, status: changes.length > 0 ? ("changed" as const) : ("not started" as const) };
    if (failed) return { ...base, status: "failed" as const, error: failed.message };
    return { ...base, status: changes.length > 0 ? ("changed" as const) : ("unchanged" as const) };
  });
}

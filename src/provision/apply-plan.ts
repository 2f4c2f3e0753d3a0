/**
 * provision's apply: the plan the preflight made, run under the lock (withClusterRun) —
 * the database, then the phases (load balancers, storage, the storage check, Harbor,
 * settings), then the verify. A phase starts only while nothing failed and no Ctrl-C came;
 * a stopped run throws a ProvisionFailed carrying what was done.
 */
import type { Inventory } from "../inventory/model.js";
import { vipParts } from "../inventory/model.js";
import { EXIT_INTERRUPTED } from "../errors.js";
import type { SshPool } from "../remote/pool.js";
import type { HostFacts } from "../facts/types.js";
import { PHASES } from "../steps/types.js";
import type { HostPlan, Phase, Plan, Step } from "../steps/types.js";
import type { DatabaseEdge } from "../db/edge.js";
import { runPhase } from "../execute/run-phase.js";
import type { PhaseResult } from "../execute/run-phase.js";
import { gatherVipHolders, verifyNodesHealthy, verifySingleVipHolder } from "../gather/verify.js";
import type { ClusterLook } from "../gather/verify.js";
import { rollLoadBalancers } from "../execute/loadbalancer-roll.js";
import { putBackInService } from "../execute/put-back-in-service.js";
import type { EmitEvent } from "../events.js";
import type { AuditTrail } from "../run/with-cluster-run.js";
import { describeInterruptedPhase, RUN_AGAIN_HINT } from "../run/interrupt.js";
import type { ProvisionPlan } from "./plan-provision.js";
import { outcomesOf, ProvisionFailed } from "./result.js";
import type { ProvisionResult } from "./result.js";

export interface ApplyContext {
  pool: SshPool;
  inv: Inventory;
  database: DatabaseEdge;
  /** The facts the plan was made from (whether the VIP was served). */
  facts: ReadonlyMap<string, HostFacts>;
  redactor: ProvisionResult["redactor"];
  emit: EmitEvent;
  isInterrupted: () => boolean;
  /** How long a drained node's health gate may fail before it is left drained (--health-timeout-s). */
  gateTimeoutMs?: number;
  /** How long the preflight took: each host's time starts with it. */
  preflightMs: number;
  /** The look at the cluster taken during the preflight: a run with nothing to change reports it instead of looking again. */
  early: Promise<ClusterLook | undefined> | undefined;
  /** --limit: the final verify checks these Harbor nodes only (from every load balancer). */
  limit?: readonly string[];
}

export async function applyProvisionPlan(planned: ProvisionPlan, ctx: ApplyContext, audit: AuditTrail): Promise<ProvisionResult> {
  const { plan, database, changed } = planned;
  const { pool, inv, emit, isInterrupted } = ctx;
  const result: ProvisionResult = { plan, database, outcomes: [], changed, redactor: ctx.redactor };
  if (database.plan.action !== "skip") {
    // The row counts about to be lost, shown before the drop (the phase line below repeats the plan).
    if (database.plan.action === "reinitialize") emit({ type: "note", level: "warn", message: database.plan.reason });
    emit({ type: "phase", phase: "database", description: database.plan.reason });
    result.databaseResult = await ctx.database.apply(database);
    emit({ type: "note", level: "info", message: result.databaseResult.message });
  } else {
    emit({ type: "note", level: "info", message: `database: ${database.plan.reason}` });
  }

  const started = new Map(plan.hosts.map((h) => [h.host.name, ctx.preflightMs]));
  const done = new Map<string, string[]>();
  const failures = new Map<string, Error>();
  const failedPhases = new Set<Phase>();
  let lastPhase: Phase = "loadbalancers";
  const runOnePhase = async (phase: Phase): Promise<void> => {
    lastPhase = phase;
    emit({ type: "phase", phase, description: PHASE_DESCRIPTIONS[phase] });
    const timer = Date.now();
    const r =
      phase === "loadbalancers"
        ? await applyLoadBalancers(pool, inv, plan, emit, isInterrupted)
        : await runPhase(pool, withoutUndrain(plan), phase, emit, isInterrupted);
    for (const [h, titles] of r.done) {
      done.set(h, [...(done.get(h) ?? []), ...titles]);
      audit.record(h, titles);
    }
    for (const [h, e] of r.failures) failures.set(h, e);
    if (r.failures.size > 0) failedPhases.add(phase);
    for (const h of r.done.keys()) started.set(h, (started.get(h) ?? 0) + (Date.now() - timer));
    // Checked here when the load balancers changed (a running cluster's nodes wait for it); else with the final verify.
    if (phase === "loadbalancers" && r.done.size > 0 && failures.size === 0 && !isInterrupted()) {
      result.vipHolder = await verifySingleVipHolder(pool, inv);
      emit({ type: "note", level: "info", message: `VIP ${inv.data.cluster.vip} is held by ${result.vipHolder}` });
    }
  };
  /** Nodes held drained by no run: back in service after every phase converged them, each once its health gate passes. */
  const putBackDrained = async (): Promise<void> => {
    const steps = plan.hosts.flatMap((h) => h.steps.filter(isUndrain));
    if (steps.length === 0 || failures.size > 0 || isInterrupted()) return;
    emit({ type: "phase", phase: "undrain", description: "nodes drained by no running run: back in service once each passes its health gate" });
    const r = await putBackInService(pool, inv, steps, emit, isInterrupted, {
      gate: { ...UNDRAIN_GATE, timeoutMs: ctx.gateTimeoutMs ?? UNDRAIN_GATE.timeoutMs },
    });
    for (const [h, titles] of r.done) {
      done.set(h, [...(done.get(h) ?? []), ...titles]);
      audit.record(h, titles);
    }
    for (const [h, e] of r.failures) failures.set(h, e);
    if (r.failures.size > 0) failedPhases.add("harbor");
  };
  // A phase starts only while nothing has failed anywhere (no step, no VIP check) and no Ctrl-C came.
  let stopped = false;
  const runPhases = async (phases: readonly Phase[]): Promise<void> => {
    for (const phase of phases) {
      if (stopped || failures.size > 0 || isInterrupted()) return;
      await runOnePhase(phase).catch((e: unknown) => {
        stopped = true;
        throw e;
      });
    }
  };
  if (vipServed(inv, ctx.facts)) {
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
  await putBackDrained();
  if (failures.size > 0 || isInterrupted()) {
    result.outcomes = outcomesOf(plan, done, failures, started);
    // Ctrl-C is said to be one: what finished, what did not, and that running again finishes it.
    if (isInterrupted())
      throw new ProvisionFailed(describeInterruptedPhase(plan, lastPhase, done, failures), result, RUN_AGAIN_HINT, EXIT_INTERRUPTED);
    throw new ProvisionFailed(
      `${[...failedPhases].join(" and ") || "the run"} failed on ${[...failures.keys()].join(", ") || "(interrupted)"}; later phases did not start`,
      result,
      "Fix the cause shown above and run provision again: steps already done are skipped, the rest are planned again.",
    );
  }
  const limit = ctx.limit;
  emit({
    type: "phase",
    phase: "verify",
    description: `check.sh for every Harbor node${limit ? " inside --limit" : ""} from every load balancer`,
  });
  // With --limit, nodes outside it were left as they are: their health is not this run's verdict.
  const look = changed ? undefined : await ctx.early;
  if (look && look.holders.length === 1 && look.checks.every((c) => c.ok || (limit !== undefined && !limit.includes(c.node)))) {
    result.vipHolder = look.holders[0];
    result.nodeChecks = look.checks;
  } else {
    const [vipHolder, nodeChecks] = await Promise.all([
      result.vipHolder ?? verifySingleVipHolder(pool, inv),
      verifyNodesHealthy(pool, inv, undefined, limit),
    ]);
    result.vipHolder = vipHolder;
    result.nodeChecks = nodeChecks;
  }
  result.outcomes = outcomesOf(plan, done, failures, started);
  return result;
}

const isUndrain = (s: Step): boolean => s.action.type === "undrain";

/** The plan the phases run: undrain steps run from the load balancers after them (putBackInService). */
function withoutUndrain(plan: Plan): Plan {
  return { ...plan, hosts: plan.hosts.map((h) => ({ ...h, steps: h.steps.filter((s) => !isUndrain(s)) })) };
}

/** The health gate before a drained node goes back: as long as Harbor may take to start (--health-timeout-s). */
const UNDRAIN_GATE = { timeoutMs: 300_000, firstIntervalMs: 500, maxIntervalMs: 5_000 };

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
  // Each load balancer's plan ends with the check that keepalived still runs after its change.
  return runPhase(pool, plan, "loadbalancers", emit, isInterrupted);
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

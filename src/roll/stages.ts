/**
 * The stages of a rolling run, in the order reconfigure runs them. Each mixes the pure
 * parts (render, plan) with the I/O edges; reconfigure.ts decides what happens on failure.
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import { renderDesiredState } from "../render/desired-state.js";
import type { DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { SshPool } from "../remote/pool.js";
import { planLoadBalancer } from "../plan/loadbalancer.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { queriesFor } from "../plan/queries.js";
import type { HostPlan } from "../steps/types.js";
import { gatherAllFacts } from "../gather/facts.js";
import { HarborHaError } from "../errors.js";
import { modeOf } from "../lb/modes.js";
import type { DrainContext, LoadBalancingMode } from "../lb/modes.js";
import { lbShellOf } from "../execute/lb-shell.js";
import { probeNodeHealth } from "./health.js";
import { applyHostPlan, rollLoadBalancers } from "../execute/loadbalancer-roll.js";
import { pollHealth, rollBatches } from "./node-roll.js";
import type { Clock, GateOptions, NodeRollOutcome, RollIO, RollNode } from "./node-roll.js";
import { applyStopHarbor, inventoryWithNodes, removedNodeSpec } from "./scale.js";
import type { RollSetup } from "./setup.js";
import { limitPlanToTls, withTransitionCa } from "./tls.js";
import type { ReconfigureOptions, ReconfigureResult } from "./types.js";
import { openClusterPool } from "../run/cluster-run.js";
import { runPhase } from "../execute/run-phase.js";
import type { AuditTrail } from "../run/with-cluster-run.js";

export interface StageContext {
  pool: SshPool;
  inv: Inventory;
  state: ClusterState;
  desired: DesiredState;
  bundle: BundleInfo;
  redactor: Redactor;
  setup: RollSetup;
  opts: ReconfigureOptions;
  clock: Clock;
  gate: GateOptions;
  result: ReconfigureResult;
  /** Each host's audit line is written as it finishes. */
  audit: AuditTrail;
}

export async function runStages(ctx: StageContext): Promise<void> {
  const { result, opts } = ctx;
  await runStorageCheck(ctx);
  const removed = result.removed.map((a) => ({ name: a, address: a }));
  if (removed.length > 0) {
    opts.emit({ type: "phase", phase: "scale-in", description: `drain ${result.removed.join(", ")} (removed from the inventory)` });
    for (const node of removed) await modeOf(ctx.inv).drain(drainContext(ctx), node);
  }
  await rollLbStage(ctx, "loadbalancers", true);
  if (removed.length > 0) await stopRemoved(ctx, removed);
  if (result.added.length > 0 && !(await provisionAdded(ctx))) return;
  if (ctx.setup.batches.length > 0) {
    opts.emit({ type: "phase", phase: "roll", description: `Harbor nodes in batches of ${opts.serial}: drain → apply → health → undrain` });
    result.roll = await rollBatches(ctx.setup.batches, nodeRollIO(ctx), { clock: ctx.clock, gate: ctx.gate, isInterrupted: opts.isInterrupted });
    if (result.roll.stopped) return;
  }
  await applySettings(ctx);
  await rollLbStage(ctx, "loadbalancers-final", false);
}

/** After every node rolled: Harbor's database-held settings, once, through its API on one node. */
async function applySettings(ctx: StageContext): Promise<void> {
  const plan = { ...ctx.setup.roll.settings, hosts: ctx.setup.roll.settings.hosts.filter((h) => ctx.setup.inScope(h.host.name)) };
  if (plan.hosts.every((h) => h.steps.length === 0)) return;
  ctx.opts.emit({ type: "phase", phase: "settings", description: "settings Harbor keeps in its database, through its API, once, cluster-wide" });
  const r = await runPhase(ctx.pool, plan, "settings", ctx.opts.emit, ctx.opts.isInterrupted);
  for (const [host, titles] of r.done) {
    ctx.result.settings.push(...titles);
    await ctx.audit.writeNow(host, titles);
  }
  const failed = [...r.failures].map(([h, e]) => `${h}: ${e.message}${e instanceof HarborHaError && e.hint ? `\n    → ${e.hint}` : ""}`);
  if (failed.length > 0)
    throw new HarborHaError(`Harbor's database-held settings were not applied:\n  ${failed.join("\n  ")}`, {
      hint: "Fix the cause shown above, then run the same command again: the nodes are done, only the settings remain.",
    });
}

/**
 * Before any node changes: one node writes the check marker into the registry's storage and
 * the others read it (prepare's shared-storage question is answered yes only after this).
 */
async function runStorageCheck(ctx: StageContext): Promise<void> {
  const check = ctx.setup.roll.storageCheck;
  if (check.hosts.every((h) => h.steps.length === 0)) return;
  ctx.opts.emit({
    type: "phase",
    phase: "storage-check",
    description: "every node sees the check marker one node wrote into the registry's storage (shared), before any install",
  });
  for (const phase of ["storage", "storage-check"] as const) {
    const r = await runPhase(ctx.pool, check, phase, ctx.opts.emit, ctx.opts.isInterrupted);
    const failed = [...r.failures].map(([h, e]) => `${h}: ${e.message}${e instanceof HarborHaError && e.hint ? `\n    → ${e.hint}` : ""}`);
    if (failed.length > 0)
      throw new HarborHaError(`the shared-storage check failed; no node was changed:\n  ${failed.join("\n  ")}`, {
        hint: "Fix the shared storage as said above, then run the same command again.",
      });
  }
}

function drainContext(ctx: StageContext): DrainContext {
  const note = (message: string) => ctx.opts.emit({ type: "note", level: "warn", message });
  return { shell: lbShellOf(ctx.pool, lbNamesOf(ctx)), command: ctx.opts.command, clock: ctx.clock, note };
}

function lbNamesOf(ctx: StageContext): string[] {
  return ctx.inv.data.load_balancers.map((l) => l.name);
}

/** The Harbor-node edges of the state machine, on this run's pool. */
function nodeRollIO(ctx: StageContext): RollIO {
  const drain = drainContext(ctx);
  const mode: LoadBalancingMode = modeOf(ctx.inv);
  const { emit } = ctx.opts;
  return {
    drain: (node) => mode.drain(drain, node),
    apply: async (node) => {
      const hostPlan = ctx.setup.roll.nodes.hosts.find((h) => h.host.name === node.name);
      if (!hostPlan || hostPlan.steps.length === 0) return [];
      const done = await applyHostPlan(ctx.pool, hostPlan, emit, ctx.opts.isInterrupted);
      await ctx.audit.writeNow(node.name, done);
      return done;
    },
    probe: (node) => probeNodeHealth(ctx.pool, ctx.inv, lbNamesOf(ctx), node),
    undrain: (node) => mode.undrain(drain, node),
    onState: (node, state, detail) =>
      emit({
        type: "note",
        level: state === "failed" ? "warn" : "info",
        host: node.name,
        message: state === "failed" ? `FAILED: ${detail ?? ""}` : (STATE_TEXT[state] ?? state),
      }),
  };
}

const STATE_TEXT: Record<string, string> = {
  pending: "waiting",
  draining: "draining on every load balancer (waiting for the checkers to take it out)",
  applying: "applying its changes",
  health: "health gate: check.sh from every load balancer",
  undraining: "healthy: back in service",
  done: "done",
};

/**
 * Load balancers toward the nodes already serving (first) or every node (final). In the
 * first stage a changing CA is trusted beside the old one until the nodes have rolled.
 */
async function rollLbStage(ctx: StageContext, phase: string, first: boolean): Promise<void> {
  const { inv, opts, setup, result } = ctx;
  const lbNames = inv.data.load_balancers.map((l) => l.name).filter(setup.inScope);
  if (lbNames.length === 0) return;
  const added = new Set(first ? result.added : []);
  const stageInv = inventoryWithNodes(
    inv,
    inv.data.harbor_nodes.filter((n) => !added.has(n.name)),
  );
  const desiredLbs = renderDesiredState(stageInv, ctx.state).hosts.filter((d) => lbNames.includes(d.host.name));
  const facts = first ? setup.facts : await gatherLbFacts(ctx, lbNames);
  let plans: HostPlan[] = desiredLbs.map((d) => {
    const f = facts.get(d.host.name) as HostFacts;
    return { host: d.host, steps: planLoadBalancer(modeOf(inv), first ? withTransitionCa(d, f) : d, f, ctx.redactor) };
  });
  if (opts.command === "rotate-certs") plans = limitPlanToTls({ hosts: plans, problems: [] }).hosts;
  if (plans.every((p) => p.steps.length === 0)) return;
  opts.emit({
    type: "phase",
    phase,
    description: first
      ? "load balancers, one at a time: backups first, the VIP holder last"
      : "load balancers: the added nodes and final settings, backups first",
  });
  const r = await rollLoadBalancers(ctx.pool, inv, plans, opts.emit, opts.isInterrupted);
  for (const [lb, titles] of r.done) {
    result.loadBalancers[lb] = [...(result.loadBalancers[lb] ?? []), ...titles];
    await ctx.audit.writeNow(lb, titles);
  }
  if (r.vipHolder) result.vipHolder = r.vipHolder;
}

async function gatherLbFacts(ctx: StageContext, lbNames: readonly string[]): Promise<Map<string, HostFacts>> {
  const queries = new Map(
    ctx.desired.hosts.filter((d) => lbNames.includes(d.host.name)).map((d) => [d.host.name, queriesFor(ctx.inv, d, ctx.bundle)]),
  );
  const gathered = await gatherAllFacts(ctx.pool, queries);
  const failed = [...gathered.failures].map(([h, e]) => `${h}: ${e.message}`);
  if (failed.length > 0)
    throw new HarborHaError(`could not read the load balancers again:\n  ${failed.join("\n  ")}`, {
      hint: "Check that they are reachable, then run the same command again to resume.",
    });
  return gathered.facts;
}

/** Scale in: the removed nodes are off every load balancer now; stop their Harbor and clear their drain markers. */
async function stopRemoved(ctx: StageContext, removed: readonly RollNode[]): Promise<void> {
  const { inv, opts } = ctx;
  opts.emit({
    type: "phase",
    phase: "scale-in",
    description: `stop Harbor on ${removed.map((n) => n.name).join(", ")}${opts.purge ? " and remove its files" : " (files kept)"}`,
  });
  const pool = openClusterPool(
    inv,
    { acceptNewHostKeys: opts.acceptNewHostKeys, emit: opts.emit },
    removed.map((n) => removedNodeSpec(n.address)),
  );
  try {
    for (const node of removed) {
      await pool.withSession(node.name, (s) => applyStopHarbor(s, inv, opts.purge));
      const change = opts.purge ? "removed from the cluster: Harbor stopped, its files removed" : "removed from the cluster: Harbor stopped";
      await ctx.audit.writeNow(node.name, [change], pool);
      await modeOf(inv).forget(drainContext(ctx), node);
    }
  } finally {
    await pool.closeAll();
  }
}

/** Scale out: added nodes are provisioned and must pass their health gate before any load balancer gets them. */
async function provisionAdded(ctx: StageContext): Promise<boolean> {
  const { inv, opts, result } = ctx;
  opts.emit({ type: "phase", phase: "scale-out", description: `provision ${result.added.join(", ")}; the load balancers get them once healthy` });
  const lbNames = inv.data.load_balancers.map((l) => l.name);
  const outcomes = await Promise.all(
    result.added.map(async (name): Promise<NodeRollOutcome> => {
      const started = ctx.clock.now();
      const node = inv.data.harbor_nodes.find((n) => n.name === name) as RollNode;
      const hostPlan = ctx.setup.roll.nodes.hosts.find((h) => h.host.name === name);
      let changes: string[] = [];
      try {
        if (hostPlan) changes = await applyHostPlan(ctx.pool, hostPlan, opts.emit, opts.isInterrupted);
        await ctx.audit.writeNow(name, changes);
        const reason = await pollHealth(() => probeNodeHealth(ctx.pool, inv, lbNames, node), ctx.clock, ctx.gate);
        if (reason !== undefined) throw new Error(`health gate: still failing after ${Math.round(ctx.gate.timeoutMs / 1000)} s: ${reason}`);
        return { node: name, address: node.address, state: "done", changes, ms: ctx.clock.now() - started };
      } catch (err) {
        return {
          node: name,
          address: node.address,
          state: "failed",
          changes,
          failedIn: "applying",
          error: (err as Error).message,
          ms: ctx.clock.now() - started,
        };
      }
    }),
  );
  result.roll.rolled.push(...outcomes);
  if (outcomes.every((o) => o.state === "done")) return true;
  result.roll.stopped = true;
  return false;
}

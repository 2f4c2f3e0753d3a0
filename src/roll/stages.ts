/**
 * Executes the roll's plan value (plan/roll/roll-plan.ts) stage by stage, exactly as planned
 * and shown by --dry-run: nothing is rendered, read or planned again on the way. Each stage
 * reaches the hosts through this run's pool; reconfigure.ts decides what a failure means.
 */
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import type { Plan, Step } from "../steps/types.js";
import { HarborHaError } from "../errors.js";
import { modeOf } from "../lb/modes.js";
import type { DrainContext } from "../lb/modes.js";
import type { NodeSteps, RollStage } from "../plan/roll/roll-plan.js";
import { lbShellOf } from "../execute/lb-shell.js";
import { applyHostPlan, rollLoadBalancers } from "../execute/loadbalancer-roll.js";
import { runPhase } from "../execute/run-phase.js";
import { openClusterPool } from "../run/cluster-run.js";
import type { AuditTrail } from "../run/with-cluster-run.js";
import { probeNodeDependencies, probeNodeHealth } from "../execute/node-health.js";
import { rollBatches } from "./node-roll.js";
import type { Clock, GateOptions, RollIO, RollNode } from "./node-roll.js";
import { describeStage } from "./describe-stage.js";
import { applyStopHarbor, removedNodeSpec } from "./stop-removed.js";
import type { ReconfigureOptions, ReconfigureResult } from "./types.js";

export interface StageContext {
  pool: SshPool;
  inv: Inventory;
  opts: ReconfigureOptions;
  clock: Clock;
  gate: GateOptions;
  result: ReconfigureResult;
  /** Each host's audit line is written as it finishes. */
  audit: AuditTrail;
}

/** Runs every stage in order; stops (returns) when a node's roll or scale-out failed, throws on any other failure. */
export async function runStages(ctx: StageContext, stages: readonly RollStage[]): Promise<void> {
  for (const stage of stages) {
    ctx.opts.emit({ type: "phase", phase: stageName(stage), description: describeStage(stage, ctx.opts.serial) });
    const goOn = await runStage(ctx, stage);
    if (!goOn) return;
  }
}

function stageName(stage: RollStage): string {
  return stage.kind === "loadbalancers" ? stage.name : stage.kind === "drain-removed" || stage.kind === "stop-removed" ? "scale-in" : stage.kind;
}

async function runStage(ctx: StageContext, stage: RollStage): Promise<boolean> {
  switch (stage.kind) {
    case "storage-check":
      await runClusterSteps(
        ctx,
        stage.plan,
        ["storage", "storage-check"],
        "the shared-storage check failed; no node was changed",
        "Fix the shared storage as said above, then run the same command again.",
      );
      return true;
    case "drain-removed":
      for (const node of stage.nodes) await modeOf(ctx.inv).drain(drainContext(ctx), node);
      return true;
    case "loadbalancers":
      await runLbStage(
        ctx,
        stage.hosts.filter((h) => h.steps.length > 0),
        stage.regainsVip,
      );
      return true;
    case "stop-removed":
      await stopRemoved(ctx, stage.nodes, stage.purge);
      return true;
    case "scale-out":
      return rollNodes(ctx, [stage.nodes], false);
    case "roll":
      return rollNodes(ctx, stage.batches, true);
    case "settings": {
      const done = await runClusterSteps(
        ctx,
        stage.plan,
        ["settings"],
        "Harbor's database-held settings were not applied",
        "Fix the cause shown above, then run the same command again: the nodes are done, only the settings remain.",
      );
      ctx.result.settings.push(...[...done.values()].flat());
      return true;
    }
  }
}

/** Steps of several hosts at once, phase by phase; every host's failure reported together. */
async function runClusterSteps(
  ctx: StageContext,
  plan: Plan,
  phases: readonly Step["phase"][],
  what: string,
  hint: string,
): Promise<Map<string, string[]>> {
  const done = new Map<string, string[]>();
  for (const phase of phases) {
    const r = await runPhase(ctx.pool, plan, phase, ctx.opts.emit, ctx.opts.isInterrupted);
    for (const [host, titles] of r.done) {
      done.set(host, [...(done.get(host) ?? []), ...titles]);
      await ctx.audit.writeNow(host, titles);
    }
    const failed = [...r.failures].map(([h, e]) => `${h}: ${e.message}${e instanceof HarborHaError && e.hint ? `\n    → ${e.hint}` : ""}`);
    if (failed.length > 0) throw new HarborHaError(`${what}:\n  ${failed.join("\n  ")}`, { hint });
  }
  return done;
}

async function runLbStage(ctx: StageContext, hosts: Parameters<typeof rollLoadBalancers>[2], regainsVip: string | undefined): Promise<void> {
  const r = await rollLoadBalancers(ctx.pool, ctx.inv, hosts, ctx.opts.emit, ctx.opts.isInterrupted, regainsVip);
  for (const [lb, titles] of r.done) {
    ctx.result.loadBalancers[lb] = [...(ctx.result.loadBalancers[lb] ?? []), ...titles];
    await ctx.audit.writeNow(lb, titles);
  }
  if (r.vipHolder) ctx.result.vipHolder = r.vipHolder;
}

function drainContext(ctx: StageContext): DrainContext {
  const note = (message: string) => ctx.opts.emit({ type: "note", level: "warn", message });
  const lbNames = ctx.inv.data.load_balancers.map((l) => l.name);
  return { shell: lbShellOf(ctx.pool, lbNames), command: ctx.opts.command, clock: ctx.clock, note };
}

/**
 * Nodes through the state machine (node-roll.ts): serving nodes are drained and undrained
 * around their change; added nodes, which no load balancer serves yet, have nothing to drain
 * and pass the same health gate before the final load-balancer stage puts them in service.
 */
async function rollNodes(ctx: StageContext, batches: readonly (readonly NodeSteps[])[], serving: boolean): Promise<boolean> {
  const stepsOf = new Map(batches.flat().map((n) => [n.node.name, n.steps]));
  const io = nodeRollIO(ctx, stepsOf, serving);
  const roll = await rollBatches(
    batches.map((b) => b.map((n) => n.node)),
    io,
    { clock: ctx.clock, gate: ctx.gate, isInterrupted: ctx.opts.isInterrupted },
  );
  const r = ctx.result.roll;
  r.rolled.push(...roll.rolled);
  r.notTouched = [...r.notTouched.filter((n) => !stepsOf.has(n.name)), ...roll.notTouched];
  if (roll.stopped) r.stopped = true;
  return !roll.stopped;
}

function nodeRollIO(ctx: StageContext, stepsOf: ReadonlyMap<string, Step[]>, serving: boolean): RollIO {
  const drain = drainContext(ctx);
  const mode = modeOf(ctx.inv);
  const lbNames = drain.shell.lbNames;
  const { emit } = ctx.opts;
  return {
    drain: serving ? (node) => mode.drain(drain, node) : async () => undefined,
    apply: async (node) => {
      const steps = stepsOf.get(node.name) ?? [];
      if (steps.length === 0) return [];
      const done = await applyHostPlan(
        ctx.pool,
        { host: { name: node.name, address: node.address, role: "harbor-node" }, steps },
        emit,
        ctx.opts.isInterrupted,
      );
      await ctx.audit.writeNow(node.name, done);
      return done;
    },
    probe: (node) => probeNodeHealth(ctx.pool, ctx.inv, lbNames, node),
    dependencies: (node) => probeNodeDependencies(ctx.pool, ctx.inv, node),
    undrain: serving ? (node) => mode.undrain(drain, node) : async () => undefined,
    onState: (node, state, detail) =>
      emit({
        type: "note",
        level: state === "failed" ? "warn" : "info",
        host: node.name,
        message: state === "failed" ? `FAILED: ${detail ?? ""}` : ((serving ? STATE_TEXT : ADDED_STATE_TEXT)[state] ?? state),
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

const ADDED_STATE_TEXT: Record<string, string> = {
  ...STATE_TEXT,
  draining: "not behind any load balancer yet: nothing to drain",
  undraining: "healthy: the final load-balancer stage puts it in service",
};

/** Scale in: the removed nodes are off every load balancer now; stop their Harbor and forget their drain state. */
async function stopRemoved(ctx: StageContext, removed: readonly RollNode[], purge: boolean): Promise<void> {
  const { inv, opts } = ctx;
  const pool = openClusterPool(
    inv,
    { acceptNewHostKeys: opts.acceptNewHostKeys, emit: opts.emit },
    removed.map((n) => removedNodeSpec(n.address)),
  );
  try {
    for (const node of removed) {
      await pool.withSession(node.name, (s) => applyStopHarbor(s, inv, purge));
      const change = purge ? "removed from the cluster: Harbor stopped, its files removed" : "removed from the cluster: Harbor stopped";
      await ctx.audit.writeNow(node.name, [change], pool);
      await modeOf(inv).forget(drainContext(ctx), node);
    }
  } finally {
    await pool.closeAll();
  }
}

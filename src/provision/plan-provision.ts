/**
 * provision's plan, from what the preflight read: the hosts' steps, the database's action,
 * and the refusals that stop the run before its first write (the database refused, a preflight
 * problem, more serving nodes restarted at once than --serial allows). Pure: the same value is
 * shown by --dry-run and applied by applyProvisionPlan.
 */
import type { Inventory } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { planCluster } from "../plan/plan-cluster.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { restartLimitProblem } from "../plan/restart-limit.js";
import type { Plan } from "../steps/types.js";
import { inPhaseOrder, refusalExitCode } from "../steps/types.js";
import { planUndrainSteps, readDrainedNodes } from "../plan/roll/drained.js";
import { modeOf } from "../lb/modes.js";
import { limitPlanToHosts } from "../plan/host-scope.js";
import type { DatabasePreflight } from "../db/edge.js";
import { preflightFailure } from "./result.js";

/** What the read-only preflight found: every host's facts and the database's state. */
export interface ClusterReading {
  facts: Map<string, HostFacts>;
  database: DatabasePreflight;
}

export interface ProvisionPlan {
  plan: Plan;
  database: DatabasePreflight;
  /** Whether anything changes (or, in a dry run, would change). */
  changed: boolean;
  /** A dry run's notes about what a real run would refuse. */
  warnings: string[];
}

export interface ProvisionPlanContext {
  inv: Inventory;
  redactor: Redactor;
  bundle: BundleInfo;
  /** This run's fresh marker for the shared-storage check. */
  sharedStorageMarker: string;
  startupTimeoutMs?: number;
  /** Serving nodes a run may restart at once (--serial). */
  serial: number;
  /** A dry run still shows a plan the run would refuse for its restarts, saying so. */
  dryRun: boolean;
  /** --limit: the hosts the run may change, by name (plan/host-scope.ts says what that leaves out); undefined: every host. */
  limit?: readonly string[];
}

/** Throws a ProvisionFailed (every host "not started") when the run must stop before its first write. */
export function planProvision(desired: DesiredState, reading: ClusterReading, ctx: ProvisionPlanContext): ProvisionPlan {
  const { facts } = reading;
  const clusterPlan = planCluster(desired, facts, {
    inv: ctx.inv,
    redactor: ctx.redactor,
    bundle: ctx.bundle,
    sharedStorageMarker: ctx.sharedStorageMarker,
    ...(ctx.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: ctx.startupTimeoutMs }),
  });
  // Observed drift like any other: a node the load balancers hold drained with no run under way goes back.
  const undrain = planUndrainSteps(readDrainedNodes(ctx.inv, modeOf(ctx.inv), facts));
  const whole: Plan = {
    ...clusterPlan,
    hosts: clusterPlan.hosts.map((h) => {
      const mine = undrain.filter((s) => s.host === h.host.name);
      return mine.length === 0 ? h : { host: h.host, steps: inPhaseOrder([...h.steps, ...mine]) };
    }),
  };
  if (reading.database.plan.action === "refuse")
    throw preflightFailure([{ host: "database", message: reading.database.plan.reason, hint: "" }], desired);
  const warnings: string[] = [];
  const { plan, database } = ctx.limit ? limitToHosts(whole, reading.database, ctx.limit, warnings) : { plan: whole, database: reading.database };
  // A dry run still shows the plan (the operator wants to see the change), saying it would be refused.
  const restarts = restartLimitProblem(ctx.inv, plan, facts, ctx.serial);
  if (restarts && ctx.dryRun) warnings.push(`provision would refuse this plan: ${restarts.message}\n  → ${restarts.hint}`);
  else if (restarts) plan.problems.push(restarts);
  if (plan.problems.length > 0) throw preflightFailure(plan.problems, desired, refusalExitCode(plan.problems));
  const changed = plan.hosts.some((h) => h.steps.length > 0) || database.plan.action !== "skip";
  return { plan, database, changed, warnings };
}

/** --limit: the plan of the named hosts, the others' changes said as warnings, the shared database left alone without a Harbor node. */
function limitToHosts(
  whole: Plan,
  database: DatabasePreflight,
  limit: readonly string[],
  warnings: string[],
): { plan: Plan; database: DatabasePreflight } {
  const scoped = limitPlanToHosts(whole, (name) => limit.includes(name));
  warnings.push(...scoped.leftOut);
  if (scoped.anyNode || database.plan.action === "skip") return { plan: scoped.plan, database };
  warnings.push(`database: ${database.plan.reason} — left as it is: --limit names no Harbor node`);
  return {
    plan: scoped.plan,
    database: {
      ...database,
      plan: { ...database.plan, action: "skip", reason: `left as it is (--limit names no Harbor node): ${database.plan.reason}` },
    },
  };
}

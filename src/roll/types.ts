/** What reconfigure and rotate-certs take and give back. Types only. */
import type { Redactor } from "../inventory/secret.js";
import type { Plan } from "../steps/types.js";
import type { RollPlan } from "../plan/roll/roll-plan.js";
import type { EmitEvent } from "../events.js";
import type { RunEdges } from "../run/cluster-run.js";
import type { Clock, GateOptions, RollResult } from "./node-roll.js";

export type RollCommand = "reconfigure" | "rotate-certs" | "upgrade";

export interface ReconfigureOptions extends RunEdges {
  command: RollCommand;
  dryRun: boolean;
  serial: number;
  limit?: readonly string[];
  purge: boolean;
  forceUnlock: boolean;
  parallel: number;
  acceptNewHostKeys: boolean;
  emit: EmitEvent;
  isInterrupted: () => boolean;
  gate?: GateOptions;
  clock?: Clock;
}

export interface ReconfigureResult {
  command: RollCommand;
  dryRun: boolean;
  plan: Plan;
  /** The run, stage by stage, as planned before anything changed (and executed as it is). */
  rollPlan: RollPlan;
  /** Whether anything changed (or, in a dry run, would change). */
  changed: boolean;
  /** Nodes provisioned and put behind the load balancers (scale out). */
  added: string[];
  /** Node addresses taken off the load balancers and stopped (scale in). */
  removed: string[];
  /** Step titles done per load balancer. */
  loadBalancers: Record<string, string[]>;
  /** Harbor's database-held settings applied through its API (step titles). */
  settings: string[];
  roll: RollResult;
  /** Every step the run executed, in the order each finished, with whether it succeeded. */
  executed: Array<{ host: string; title: string; ok: boolean }>;
  /** The batches planned (dry run) or rolled. */
  batches: string[][];
  vipHolder?: string;
  redactor: Redactor;
}

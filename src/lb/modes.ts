/**
 * The inventory's load-balancing mode, and what the modes it did not choose left behind: the
 * one place that asks `load_balancing`. Adding a mode is a module under lb/ and a line here.
 */
import type { Inventory } from "../inventory/model.js";
import type { FactQuery } from "../facts/queries.js";
import type { HostFacts } from "../facts/types.js";
import type { Step } from "../steps/types.js";
import { haproxyMode } from "./haproxy/index.js";
import { lvsDrMode } from "./lvs-dr/index.js";
import type { LoadBalancingMode, LoadBalancingName, ModeFactory, ModeProblem } from "./mode.js";

const MODES: Record<LoadBalancingName, ModeFactory> = { "lvs-dr": lvsDrMode, haproxy: haproxyMode };

export function modeOf(inv: Inventory): LoadBalancingMode {
  return MODES[inv.data.load_balancing](inv);
}

/** The modes the inventory did not choose, whose leftovers are looked for. */
function otherModes(inv: Inventory): LoadBalancingMode[] {
  return (Object.keys(MODES) as LoadBalancingName[]).filter((n) => n !== inv.data.load_balancing).map((n) => MODES[n](inv));
}

/** A load balancer's mode queries: the chosen mode's, and what the others would have left. */
export function lbModeQueries(inv: Inventory): FactQuery[] {
  return [...modeOf(inv).lbQueries(), ...otherModes(inv).flatMap((m) => m.leftovers.lbQueries)];
}

export function lbModeProblems(inv: Inventory, f: HostFacts): ModeProblem[] {
  return [...modeOf(inv).lbProblems(f), ...otherModes(inv).flatMap((m) => m.leftovers.lbProblems(f))];
}

/** A node's mode queries: its rules, and what the others would have left. */
export function nodeModeQueries(inv: Inventory): FactQuery[] {
  return [...modeOf(inv).node.queries(), ...otherModes(inv).flatMap((m) => m.leftovers.nodeQueries)];
}

/** A node's mode steps: its rules in place, the others' removed. */
export function nodeModeSteps(inv: Inventory, host: string, f: HostFacts, changed: { files: boolean; pending: boolean }): Step[] {
  return [...otherModes(inv).flatMap((m) => m.leftovers.nodeSteps(host, f)), ...modeOf(inv).node.steps(host, f, changed)];
}

export type { LoadBalancingMode, LbShell, DrainContext, RollNodeRef, LbStatusReading, ModeProblem } from "./mode.js";

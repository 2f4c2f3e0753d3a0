/**
 * provision on a running cluster: a Harbor change reaches the nodes through install.sh, which
 * takes Harbor down on that node while it restarts. provision runs the nodes in parallel and
 * drains none, so it may restart at most `serial` serving nodes; beyond that the change is a
 * rolling reconfigure (drained, one batch at a time, stopped at the first failure). Pure.
 */
import type { Inventory } from "../inventory/model.js";
import type { HostFacts } from "../facts/types.js";
import { generationOf } from "../harbor/generations.js";
import { isInstallRun } from "./shared-storage.js";
import type { Plan, PreflightProblem } from "../steps/types.js";

/** Nodes Harbor serves on now (its local health URL answers 200) that this plan would run install.sh on. */
export function servingNodesToRestart(inv: Inventory, plan: Plan, facts: ReadonlyMap<string, HostFacts>): string[] {
  const url = generationOf(inv).localHealthUrl;
  return plan.hosts
    .filter((h) => h.host.role === "harbor-node" && facts.get(h.host.name)?.http[url] === 200 && h.steps.some(isInstallRun))
    .map((h) => h.host.name);
}

export function restartLimitProblem(inv: Inventory, plan: Plan, facts: ReadonlyMap<string, HostFacts>, serial: number): PreflightProblem | undefined {
  const nodes = servingNodesToRestart(inv, plan, facts);
  if (nodes.length <= serial) return undefined;
  return {
    host: "cluster",
    message:
      `this change would run install.sh, restarting Harbor, ` +
      `on ${nodes.length} serving nodes at once (${nodes.join(", ")}), ` +
      `more than --serial ${serial} allows: a bad value would reach all of them before any could be checked`,
    hint:
      `Roll it with harbor-ha reconfigure ${inv.path} (drains each node, ${serial} at a time, ` +
      `stops at the first that fails), or pass provision --serial ${nodes.length} to restart them ` +
      `together on purpose.`,
  };
}

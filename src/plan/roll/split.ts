/**
 * Steps of a plan that concern the cluster rather than one node, taken out of the nodes'
 * plans for a roll (which applies one node's plan at a time): the shared-storage check runs
 * once over every node before any node changes (a node whose storage itself changes keeps
 * its read of the marker in its own plan, after its mounts and before its installer run);
 * the database-held settings are applied once through Harbor's API after the roll. Pure.
 */
import { isSharedStorageCheck } from "../shared-storage.js";
import type { Plan } from "../../steps/types.js";

export interface RollPlans {
  /** What the nodes apply as they roll. */
  nodes: Plan;
  /** The shared-storage check, run over the cluster before anything changes. */
  storageCheck: Plan;
  /** Harbor's database-held settings, applied once through its API after every node rolled. */
  settings: Plan;
}

export function splitForRoll(plan: Plan): RollPlans {
  const settled = (steps: Plan["hosts"][number]["steps"]) => !steps.some((s) => s.phase === "storage" && !isSharedStorageCheck(s));
  const before = plan.hosts.map((h) => ({
    host: h.host,
    // The writer's marker always goes first; a reader's only when its storage is in place already.
    steps: h.steps.filter((s) => isSharedStorageCheck(s) && (s.phase === "storage" || settled(h.steps))),
  }));
  const after = plan.hosts.map((h) => ({ host: h.host, steps: h.steps.filter((s) => s.kind === "settings") }));
  const nodes = plan.hosts.map((h, i) => ({
    host: h.host,
    steps: h.steps.filter((s) => !(before[i]?.steps.includes(s) ?? false) && s.kind !== "settings"),
  }));
  return {
    nodes: { hosts: nodes, problems: plan.problems },
    storageCheck: { hosts: before, problems: [] },
    settings: { hosts: after, problems: [] },
  };
}

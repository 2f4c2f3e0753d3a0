/**
 * The rules that keep the registry up during a roll, decided before anything changes.
 * Pure. Never more than --serial nodes out of service at once, never the last healthy one.
 */
import type { RollNode } from "./node-roll.js";

/**
 * Batches of at most `serial` nodes. Nodes already out of service (failing or drained)
 * go first: rolling them costs no capacity, and a roll that stopped resumes with them.
 */
export function planBatches(nodes: readonly RollNode[], unhealthy: ReadonlySet<string>, serial: number): RollNode[][] {
  const ordered = [...nodes.filter((n) => unhealthy.has(n.name)), ...nodes.filter((n) => !unhealthy.has(n.name))];
  const batches: RollNode[][] = [];
  for (let i = 0; i < ordered.length; i += serial) batches.push(ordered.slice(i, i + serial));
  return batches;
}

export interface RollSafetyInput {
  /** Nodes the roll would drain, in batches. */
  batches: readonly (readonly RollNode[])[];
  /** Names of the serving nodes that pass check.sh from every load balancer now. */
  healthy: readonly string[];
  /** Every node in service (behind the load balancers). */
  serving: readonly string[];
  serial: number;
}

/** Why the roll is refused, or undefined when it is safe to start. */
export function refuseUnsafeRoll(input: RollSafetyInput): string | undefined {
  const { batches, healthy, serving, serial } = input;
  if (batches.every((b) => b.length === 0)) return undefined;
  const listed = healthy.length === 0 ? "none" : healthy.join(", ");
  if (serial >= healthy.length) {
    return `--serial ${serial} would take ${serial} node${serial === 1 ? "" : "s"} out of service, but only ${healthy.length} of ${serving.length} serving nodes pass their health check now (healthy: ${listed}); at least one must stay in service`;
  }
  for (const batch of batches) {
    const left = healthy.filter((h) => !batch.some((n) => n.name === h));
    if (left.length === 0) return `draining ${batch.map((n) => n.name).join(", ")} would leave no healthy node in service (healthy now: ${listed})`;
  }
  return undefined;
}

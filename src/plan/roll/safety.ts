/**
 * The rules that keep the registry up during a roll, decided before anything changes.
 * Pure. Never more than --serial nodes out of service at once, never the last healthy one.
 */
import type { RollNodeRef as RollNode } from "../../lb/mode.js";

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
  /**
   * Names of the nodes some load balancer holds drained now, whoever drained them: they are out
   * of service already and count against --serial until their batch puts them back.
   */
  drained?: readonly string[];
}

/**
 * Why the roll is refused, or undefined when it is safe to start. The batches are followed in
 * order: a batch may not drain every node that is healthy at that point, and a batch that
 * passes its health gate is healthy afterwards (a failing one stops the roll). So a roll that
 * brings a drained or failing node back first — a stopped roll resuming — may then roll the
 * last healthy node, which the node brought back now covers.
 */
export function refuseUnsafeRoll(input: RollSafetyInput): string | undefined {
  const { batches, healthy } = input;
  if (batches.every((b) => b.length === 0)) return undefined;
  const listed = healthy.length === 0 ? "none" : healthy.join(", ");
  const inService = new Set(healthy);
  const out = new Set(input.drained ?? []);
  for (const batch of batches) {
    const tooMany = outOfServiceBeyondSerial(batch, out, input.serial);
    if (tooMany) return tooMany;
    const left = [...inService].filter((h) => !batch.some((n) => n.name === h));
    if (left.length === 0) {
      const names = batch.map((n) => n.name).join(", ");
      return (
        `draining ${names} (--serial ${input.serial}) ` +
        `would leave no healthy node in service (healthy now: ${listed}; ${input.serving.length} serving)`
      );
    }
    for (const n of batch) {
      inService.add(n.name);
      out.delete(n.name);
    }
  }
  return undefined;
}

/**
 * Why draining the batch would hold more than --serial nodes out of service at once, counting
 * the nodes drained already; a batch of nodes that are all out already takes nothing more out.
 */
function outOfServiceBeyondSerial(batch: readonly RollNode[], out: ReadonlySet<string>, serial: number): string | undefined {
  const taken = batch.filter((n) => !out.has(n.name));
  const together = new Set([...out, ...batch.map((n) => n.name)]);
  if (taken.length === 0 || together.size <= serial) return undefined;
  return (
    `draining ${taken.map((n) => n.name).join(", ")} would hold ${together.size} nodes out of service at once, ` +
    `more than --serial ${serial} (drained already: ${[...out].join(", ")})`
  );
}

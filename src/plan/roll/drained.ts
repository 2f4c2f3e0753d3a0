/**
 * Which inventory nodes the load balancers hold out of service now, read from their facts by
 * the load-balancing mode (drain markers, HAProxy's runtime state): observed, never
 * remembered. A run holds the cluster lock, so a node drained when it starts was drained by no
 * running roll — a killed run, or an operator — and is planned back into service like any
 * drift, after its health gate. Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import type { HostFacts } from "../../facts/types.js";
import type { LoadBalancingMode } from "../../lb/mode.js";
import type { Step } from "../../steps/types.js";

export interface DrainedNode {
  name: string;
  address: string;
  /** The load balancers that hold it drained. */
  on: string[];
}

export function readDrainedNodes(inv: Inventory, mode: LoadBalancingMode, facts: ReadonlyMap<string, HostFacts>): DrainedNode[] {
  const on = new Map<string, string[]>();
  for (const lb of inv.data.load_balancers) {
    const f = facts.get(lb.name);
    if (!f) continue;
    for (const address of mode.drainedAddresses(f)) on.set(address, [...(on.get(address) ?? []), lb.name]);
  }
  return inv.data.harbor_nodes.flatMap((n) => {
    const lbs = on.get(n.address);
    return lbs ? [{ name: n.name, address: n.address, on: lbs }] : [];
  });
}

/** "harbor2 (drained on lb1, lb2)" for the operator. */
export function describeDrained(nodes: readonly DrainedNode[]): string {
  return nodes.map((n) => `${n.name} (drained on ${n.on.join(", ")})`).join(", ");
}

/** provision's step for each drained node: back in service once its health gate passes, after every phase. */
export function planUndrainSteps(nodes: readonly DrainedNode[]): Step[] {
  return nodes.map((n) => ({
    host: n.name,
    phase: "harbor",
    kind: "service",
    title: `put ${n.name} back in service on ${n.on.join(", ")} once its health gate passes`,
    reason: `drained on ${n.on.join(", ")} by no running run (one killed before its undrain, or by hand)`,
    action: { type: "undrain", node: { name: n.name, address: n.address }, on: [...n.on] },
  }));
}

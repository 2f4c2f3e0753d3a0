/**
 * Which nodes the load balancers serve now, compared with the inventory. A node the inventory
 * adds is provisioned and healthy before any load balancer gets it; a node it removes (still
 * served by a load balancer) is drained and taken off the load balancers before its Harbor is
 * stopped. What a load balancer serves is read by the load-balancing mode from its
 * configuration (keepalived's real servers, HAProxy's servers). Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import type { HarborNodeSpec } from "../../inventory/schema.js";
import type { HostFacts } from "../../facts/types.js";
import type { LoadBalancingMode } from "../../lb/mode.js";
import { KEEPALIVED_CONF_PATH } from "../../desired/paths.js";

export interface Membership {
  /** Addresses some load balancer serves now. */
  serving: string[];
  /** Inventory nodes no load balancer serves yet. */
  added: HarborNodeSpec[];
  /**
   * Addresses the inventory no longer has that a load balancer still serves, or still holds
   * drained (a scale in killed after the load balancers dropped the node, before its Harbor was
   * stopped and its drain state forgotten: the run that follows finishes it).
   */
  removed: string[];
  /** Load balancers without a keepalived.conf (the cluster was never provisioned). */
  unprovisioned: string[];
}

/** From the load balancers' facts; a load balancer without keepalived.conf was never provisioned. */
export function readMembership(inv: Inventory, mode: LoadBalancingMode, lbFacts: ReadonlyMap<string, HostFacts>): Membership {
  const nodes = inv.data.harbor_nodes;
  const serving: string[] = [];
  const drained: string[] = [];
  const unprovisioned: string[] = [];
  for (const lb of inv.data.load_balancers) {
    const f = lbFacts.get(lb.name);
    if (!f?.files[KEEPALIVED_CONF_PATH]?.present) {
      unprovisioned.push(lb.name);
      continue;
    }
    const addresses = mode.servedAddresses(
      f,
      nodes.map((n) => n.address),
    );
    for (const a of addresses) if (!serving.includes(a)) serving.push(a);
    for (const a of mode.drainedAddresses(f)) if (!drained.includes(a)) drained.push(a);
  }
  const inInventory = new Set(nodes.map((n) => n.address));
  return {
    serving,
    added: nodes.filter((n) => !serving.includes(n.address)),
    removed: [...serving, ...drained.filter((a) => !serving.includes(a))].filter((a) => !inInventory.has(a)),
    unprovisioned,
  };
}

/** The same inventory with another list of Harbor nodes: what the load balancers are rendered for mid-way. */
export function inventoryWithNodes<I extends Inventory>(inv: I, nodes: readonly HarborNodeSpec[]): I {
  return { ...inv, data: { ...inv.data, harbor_nodes: [...nodes] } };
}

/**
 * Scaling: which nodes the load balancers serve now, compared with the inventory. A node
 * the inventory adds is provisioned and healthy before any load balancer gets it; a node
 * it removes (still a real_server in a load balancer's keepalived.conf) is drained and
 * taken off the load balancers before its Harbor is stopped. Pure, apart from the stop.
 */
import type { Inventory } from "../inventory/model.js";
import type { HarborNodeSpec } from "../inventory/schema.js";
import type { HostFacts } from "../facts/types.js";
import type { Transport } from "../remote/transport.js";
import { generationOf } from "../harbor/generations.js";
import { bundleRemotePath, INSTALL_STAMP_PATH } from "../plan/harbor-node.js";

export { KEEPALIVED_CONF_PATH } from "../desired/paths.js";
import { KEEPALIVED_CONF_PATH } from "../desired/paths.js";

/** The real_server addresses of a keepalived.conf, each once, in order. */
export function parseRealServers(conf: string): string[] {
  const found: string[] = [];
  for (const line of conf.split("\n")) {
    const m = /^\s*real_server\s+(\S+)\s+\d+/.exec(line.replace(/#.*/, ""));
    if (m?.[1] && !found.includes(m[1])) found.push(m[1]);
  }
  return found;
}

export interface Membership {
  /** Addresses some load balancer serves now. */
  serving: string[];
  /** Inventory nodes no load balancer serves yet. */
  added: HarborNodeSpec[];
  /** Addresses served now that the inventory no longer has. */
  removed: string[];
  /** Load balancers without a keepalived.conf (the cluster was never provisioned). */
  unprovisioned: string[];
}

/**
 * From the load balancers' facts: their keepalived.conf content is in the facts only when it
 * differs from the render; when it matches, that load balancer serves every inventory node.
 */
export function readMembership(inv: Inventory, lbFacts: ReadonlyMap<string, HostFacts>): Membership {
  const nodes = inv.data.harbor_nodes;
  const serving: string[] = [];
  const unprovisioned: string[] = [];
  for (const lb of inv.data.load_balancers) {
    const fact = lbFacts.get(lb.name)?.files[KEEPALIVED_CONF_PATH];
    if (!fact?.present) {
      unprovisioned.push(lb.name);
      continue;
    }
    const addresses = fact.content === undefined ? nodes.map((n) => n.address) : parseRealServers(fact.content);
    for (const a of addresses) if (!serving.includes(a)) serving.push(a);
  }
  const inInventory = new Set(nodes.map((n) => n.address));
  return {
    serving,
    added: nodes.filter((n) => !serving.includes(n.address)),
    removed: serving.filter((a) => !inInventory.has(a)),
    unprovisioned,
  };
}

/** The same inventory with another list of Harbor nodes: what the load balancers are rendered for mid-way. */
export function inventoryWithNodes<I extends Inventory>(inv: I, nodes: readonly HarborNodeSpec[]): I {
  return { ...inv, data: { ...inv.data, harbor_nodes: [...nodes] } };
}

/** A removed node as a host to reach: the inventory's default SSH settings, named by its address. */
export function removedNodeSpec(address: string): HarborNodeSpec {
  return { name: address, address } as HarborNodeSpec;
}

/** docker-compose down stops each of Harbor's containers in turn, each given docker's 10 s to stop. */
const STOP_HARBOR_TIMEOUT_MS = 300_000;

/** Stops Harbor on a node the inventory removed; its files stay unless purge. */
export async function applyStopHarbor(session: Transport, inv: Inventory, purge: boolean): Promise<void> {
  const command = generationOf(inv).stopCommand({ purge, bundlePath: bundleRemotePath(inv), stampPath: INSTALL_STAMP_PATH });
  await session.runChecked(command, {
    sudo: true,
    timeoutMs: STOP_HARBOR_TIMEOUT_MS,
    step: purge ? "stop Harbor and remove its files" : "stop Harbor",
    hint: "Stop Harbor on that host by hand (docker-compose down in its harbor folder); it no longer receives traffic.",
  });
}

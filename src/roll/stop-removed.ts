/**
 * Scale in, on a node the load balancers no longer serve: Harbor stopped the way Harbor stops
 * (its generation says how), its files removed too with purge. The node is reached by its
 * address with the inventory's default SSH settings.
 */
import type { Inventory } from "../inventory/model.js";
import type { HarborNodeSpec } from "../inventory/schema.js";
import type { Transport } from "../remote/transport.js";
import { generationOf } from "../harbor/generations.js";
import { bundleRemotePath, INSTALL_STAMP_PATH } from "../plan/harbor-node.js";

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

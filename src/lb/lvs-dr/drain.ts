/**
 * Taking a node out of service and back under LVS direct routing, on every load balancer: the
 * drain marker makes check.sh fail on purpose, and keepalived's checker then removes the real
 * server. Where IPVS is visible the removal is observed; elsewhere the checker's period is
 * waited out. keepalived started with --vrrp runs no checker at all: nothing takes the node
 * out or back, so nothing is waited for. The load balancers are reached through the LbShell the
 * engine gives.
 */
import type { Inventory } from "../../inventory/model.js";
import { HarborHaError } from "../../errors.js";
import { DRAIN_DIR } from "../../desired/paths.js";
import { cmd } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";
import { pollUntilFine } from "../../time/poll.js";
import type { DrainContext, RollNodeRef } from "../mode.js";
import { ipvsTableCommand, ipvsTakesNode, readIpvsTable } from "./ipvs.js";
import { runsCheckers } from "../../inventory/daemon-options.js";

/** The marker check.sh looks for: while it exists, the node fails its check on purpose. */
export function drainMarkerPath(nodeAddress: string): string {
  return `${DRAIN_DIR}/${nodeAddress}`;
}

/** Removes a node's drain marker (and the backup an atomic write may have left beside it). */
export function removeDrainMarkerCommand(nodeAddress: string): Command {
  const path = drainMarkerPath(nodeAddress);
  return cmd("rm", "-f", "--", path, `${path}.harbor-ha.bak`);
}

/** How long keepalived's checker may take to notice: one check period plus one check's time budget. */
export function checkerPeriodMs(inv: Inventory): number {
  return (inv.data.keepalived.delay_loop + inv.data.keepalived.check_timeout_s) * 1000;
}

/** Writes the drain marker on every load balancer, then waits until each checker took the node out. */
export async function drainByMarker(inv: Inventory, ctx: DrainContext, node: RollNodeRef): Promise<void> {
  const content = `drained by harbor-ha ${ctx.command} at ${new Date(ctx.clock.now()).toISOString()}\n`;
  await ctx.shell.writeOnEach({ path: drainMarkerPath(node.address), content, mode: 0o644 }, `drain ${node.name}`, `could not drain ${node.name}`);
  await waitForCheckers(inv, ctx, node, false);
}

/** Removes the drain marker on every load balancer, then waits until each checker took the node back. */
export async function undrainByMarker(inv: Inventory, ctx: DrainContext, node: RollNodeRef): Promise<void> {
  await clearMarker(ctx, node);
  await waitForCheckers(inv, ctx, node, true);
}

/** The marker removed, nothing waited for: a node the load balancers no longer serve. */
export async function clearMarker(ctx: DrainContext, node: RollNodeRef): Promise<void> {
  await ctx.shell.runOnEach(
    () => removeDrainMarkerCommand(node.address),
    `undrain ${node.name}`,
    `could not remove the drain marker of ${node.name}`,
  );
}

/** Waits until every load balancer's IPVS table shows (or no longer shows) the node; the timed wait where IPVS is not in use. */
async function waitForCheckers(inv: Inventory, ctx: DrainContext, node: RollNodeRef, wantPresent: boolean): Promise<void> {
  if (!runsCheckers(inv.data.keepalived.daemon_options)) return;
  const first = await takesNode(ctx, node);
  const observed = [...first].filter(([, takes]) => takes !== undefined).map(([lb]) => lb);
  const waits: Promise<unknown>[] = [];
  if (observed.length < ctx.shell.lbNames.length) waits.push(ctx.clock.sleep(checkerPeriodMs(inv)));
  if (observed.length > 0) {
    const timeoutMs = 3 * checkerPeriodMs(inv);
    const stillWrong = async () => {
      const now = await takesNode(ctx, node);
      const wrong = observed.filter((lb) => now.get(lb) !== wantPresent);
      return wrong.length === 0 ? undefined : wrong.join(", ");
    };
    waits.push(
      pollUntilFine(stillWrong, { timeoutMs, firstIntervalMs: 500, maxIntervalMs: 2000 }, ctx.clock).then((wrong) => {
        if (wrong === undefined) return;
        throw new HarborHaError(
          `${node.name}: keepalived on ${wrong} did not ` +
            `${wantPresent ? "take the node back into" : "take the node out of"} IPVS within ${timeoutMs / 1000} s`,
          {
            hint: "Look at keepalived's log on that load balancer (is its MISC_CHECK running check.sh?), then run the same command again to resume.",
          },
        );
      }),
    );
  }
  await Promise.all(waits);
}

/** Per load balancer: whether IPVS sends the node new connections there (undefined: IPVS not in use there). */
async function takesNode(ctx: DrainContext, node: RollNodeRef): Promise<Map<string, boolean | undefined>> {
  const tables = await ctx.shell.runOnEach(() => ipvsTableCommand(), "read the IPVS table", "could not read the IPVS table");
  return new Map([...tables].map(([lb, out]) => [lb, ipvsTakesNode(readIpvsTable(out), node.address)]));
}

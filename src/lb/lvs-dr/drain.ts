/**
 * Taking a node out of service and back, on every load balancer: the drain marker makes
 * check.sh fail on purpose, and keepalived's checker then removes the real server. Where
 * IPVS is visible the removal is observed; elsewhere the checker's period is waited out.
 * With load_balancing: haproxy, HAProxy's runtime API does it instead (haproxy-drain.ts).
 */
import type { Inventory } from "../../inventory/model.js";
import { usesHaproxy } from "../../inventory/model.js";
import { applyHaproxyDrain, removeHaproxyDrain } from "../haproxy/drain.js";
import type { SshPool } from "../../remote/pool.js";
import { HarborHaError } from "../../errors.js";
import { throwIfAnyFailed } from "../../remote/host-results.js";
import { drainMarkerPath, removeDrainMarkerCommand } from "../../roll/commands.js";
import { ipvsTableCommand, ipvsTakesNode, readIpvsTable } from "./ipvs.js";
import { pollHealth } from "../../roll/node-roll.js";
import type { Clock, RollNode } from "../../roll/node-roll.js";

export interface DrainContext {
  pool: SshPool;
  inv: Inventory;
  /** The load balancers the node is drained on. */
  lbNames: readonly string[];
  command: string;
  clock: Clock;
  /** Told of what the operator should know but that does not stop the run. */
  note?: (message: string) => void;
}

/** How long keepalived's checker may take to notice: one check period plus one check's time budget. */
export function checkerPeriodMs(inv: Inventory): number {
  return (inv.data.keepalived.delay_loop + inv.data.keepalived.check_timeout_s) * 1000;
}

/** Writes the drain marker on every load balancer, then waits until each checker took the node out. */
export async function applyDrain(ctx: DrainContext, node: RollNode): Promise<void> {
  if (usesHaproxy(ctx.inv)) return applyHaproxyDrain(ctx, node);
  const content = `drained by harbor-ha ${ctx.command} at ${new Date(ctx.clock.now()).toISOString()}\n`;
  const settled = await ctx.pool.forEachHost(ctx.lbNames, (s) =>
    s.uploadAtomic({ path: drainMarkerPath(node.address), content, mode: 0o644, owner: "root", group: "root", step: `drain ${node.name}` }),
  );
  throwIfAnyFailed(ctx.lbNames, settled, `could not drain ${node.name}`);
  await waitForCheckers(ctx, node, false);
}

/** Removes the drain marker on every load balancer, then waits until each checker took the node back. */
export async function removeDrain(ctx: DrainContext, node: RollNode): Promise<void> {
  if (usesHaproxy(ctx.inv)) return removeHaproxyDrain(ctx, node);
  const settled = await ctx.pool.forEachHost(ctx.lbNames, (s) =>
    s.runChecked(removeDrainMarkerCommand(node.address), { sudo: true, step: `undrain ${node.name}` }),
  );
  throwIfAnyFailed(ctx.lbNames, settled, `could not remove the drain marker of ${node.name}`);
  await waitForCheckers(ctx, node, true);
}

/** Waits until every load balancer's IPVS table shows (or no longer shows) the node; the timed wait where IPVS is not in use. */
async function waitForCheckers(ctx: DrainContext, node: RollNode, wantPresent: boolean): Promise<void> {
  const tables = await gatherIpvs(ctx, node);
  const observed = ctx.lbNames.filter((_, i) => tables[i] !== undefined);
  const waits: Promise<unknown>[] = [];
  if (observed.length < ctx.lbNames.length) waits.push(ctx.clock.sleep(checkerPeriodMs(ctx.inv)));
  if (observed.length > 0) {
    const timeoutMs = 3 * checkerPeriodMs(ctx.inv);
    waits.push(
      pollHealth(
        async () => {
          const now = await gatherIpvs({ ...ctx, lbNames: observed }, node);
          const wrong = observed.filter((_, i) => now[i] !== wantPresent);
          return wrong.length === 0 ? undefined : wrong.join(", ");
        },
        ctx.clock,
        { timeoutMs, firstIntervalMs: 500, maxIntervalMs: 2000 },
      ).then((wrong) => {
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
async function gatherIpvs(ctx: DrainContext, node: RollNode): Promise<Array<boolean | undefined>> {
  const settled = await ctx.pool.forEachHost(
    ctx.lbNames,
    async (s) => (await s.runChecked(ipvsTableCommand(), { sudo: true, step: "read the IPVS table" })).stdout,
  );
  throwIfAnyFailed(ctx.lbNames, settled, "could not read the IPVS table");
  return settled.map((s) => (s.status === "fulfilled" ? ipvsTakesNode(readIpvsTable(s.value), node.address) : undefined));
}

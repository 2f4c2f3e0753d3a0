/**
 * Taking a node out of service and back through HAProxy's runtime API on every load
 * balancer (load_balancing: haproxy): `set server … state drain` sends new connections
 * elsewhere while running ones (uploads) finish; the run waits until the node's sessions
 * are gone everywhere, or haproxy.drain_timeout_s passes. `state ready` puts it back, and
 * the run waits until every load balancer's health check has it UP.
 * Servers are found by the node's address, so a node removed from the inventory (named
 * only by its address) is drained too.
 */
import type { Inventory } from "../../inventory/model.js";
import type { SshPool } from "../../remote/pool.js";
import { HarborHaError } from "../../errors.js";
import { haproxySetStateCommand, haproxyShowStatCommand, parseHaproxyStat, serversOfNode, takesTraffic } from "./commands.js";
import type { HaproxyDrainAction, HaproxyServerStat } from "./commands.js";
import { pollHealth } from "../../roll/node-roll.js";
import { throwIfAnyFailed } from "../../remote/host-results.js";
import type { Clock, RollNode } from "../../roll/node-roll.js";

export interface HaproxyDrainContext {
  pool: SshPool;
  inv: Inventory;
  lbNames: readonly string[];
  clock: Clock;
  /** Told when the drain deadline passed with sessions still open (the run goes on). */
  note?: (message: string) => void;
}

const POLL = { firstIntervalMs: 500, maxIntervalMs: 2000 };

export async function applyHaproxyDrain(ctx: HaproxyDrainContext, node: RollNode): Promise<void> {
  await setNodeState(ctx, node, "drain");
  const timeoutMs = ctx.inv.data.haproxy.drain_timeout_s * 1000;
  const open = await pollHealth(async () => describeSessions(await gatherServers(ctx), node), ctx.clock, { timeoutMs, ...POLL });
  if (open !== undefined)
    ctx.note?.(
      `${node.name}: still ${open} after haproxy.drain_timeout_s (${timeoutMs / 1000} s): going on; those connections end when its Harbor restarts`,
    );
}

export async function removeHaproxyDrain(ctx: HaproxyDrainContext, node: RollNode): Promise<void> {
  await setNodeState(ctx, node, "ready");
  // The health check may still have to see the restarted Harbor `rise` times.
  const { check_interval_s, rise } = ctx.inv.data.haproxy;
  const timeoutMs = Math.max(30_000, 3 * rise * (check_interval_s + ctx.inv.data.keepalived.check_timeout_s) * 1000);
  const out = await pollHealth(async () => describeOut(await gatherServers(ctx), node), ctx.clock, { timeoutMs, ...POLL });
  if (out === undefined) return;
  throw new HarborHaError(`${node.name}: HAProxy did not take the node back within ${timeoutMs / 1000} s: ${out}`, {
    hint: "Look at the node's health (harbor-ha status shows HAProxy's last check per load balancer), then run the same command again to resume.",
  });
}

/** Sets the node's servers on every load balancer to the state; a load balancer without them has nothing to set. */
async function setNodeState(ctx: HaproxyDrainContext, node: RollNode, state: HaproxyDrainAction): Promise<void> {
  const stats = await gatherServers(ctx);
  const settled = await ctx.pool.forEachHost(ctx.lbNames, async (s, lb) => {
    const servers = serversOfNode(stats.get(lb) ?? [], node.address);
    if (servers.length > 0) await s.runChecked(haproxySetStateCommand(servers, state), { sudo: true, step: `HAProxy: ${state} ${node.name}` });
  });
  throwIfAnyFailed(ctx.lbNames, settled, `could not set ${node.name} to ${state} in HAProxy`);
}

async function gatherServers(ctx: HaproxyDrainContext): Promise<Map<string, HaproxyServerStat[]>> {
  const settled = await ctx.pool.forEachHost(ctx.lbNames, async (s) =>
    parseHaproxyStat((await s.runChecked(haproxyShowStatCommand(), { sudo: true, step: "HAProxy: show stat" })).stdout),
  );
  throwIfAnyFailed(ctx.lbNames, settled, "could not read HAProxy's servers");
  return new Map(settled.map((r, i) => [ctx.lbNames[i] as string, r.status === "fulfilled" ? r.value : []]));
}

/** undefined when the node has no session left anywhere; else where it has ("3 sessions on lb1"). */
export function describeSessions(stats: ReadonlyMap<string, readonly HaproxyServerStat[]>, node: RollNode): string | undefined {
  const open = [...stats]
    .map(([lb, servers]) => [lb, serversOfNode(servers, node.address).reduce((n, s) => n + s.sessions, 0)] as const)
    .filter(([, n]) => n > 0);
  return open.length === 0 ? undefined : open.map(([lb, n]) => `${n} session${n === 1 ? "" : "s"} on ${lb}`).join(", ");
}

/** undefined when every load balancer sends the node new connections again; else which do not, and the state they hold. */
export function describeOut(stats: ReadonlyMap<string, readonly HaproxyServerStat[]>, node: RollNode): string | undefined {
  const out = [...stats].flatMap(([lb, servers]) =>
    serversOfNode(servers, node.address)
      .filter((s) => !takesTraffic(s))
      .map((s) => `${lb} holds ${s.backend}/${s.server} ${s.status}${s.checkStatus ? ` (last check ${s.checkStatus})` : ""}`),
  );
  return out.length === 0 ? undefined : out.join(", ");
}

/**
 * Taking a node out of service and back through HAProxy's runtime API on every load
 * balancer: `set server … state drain` sends new connections elsewhere while running ones
 * (uploads) finish; the run waits until the node's sessions are gone everywhere, or
 * haproxy.drain_timeout_s passes. `state ready` puts it back, and the run waits until every
 * load balancer's health check has it UP. Servers are found by the node's address, so a node
 * removed from the inventory (named only by its address) is drained too. The load balancers
 * are reached through the LbShell the engine gives.
 */
import type { Inventory } from "../../inventory/model.js";
import { HarborHaError } from "../../errors.js";
import { parseHaproxyStat, serversOfNode, takesTraffic } from "../../facts/haproxy-stat.js";
import type { HaproxyServerStat } from "../../facts/haproxy-stat.js";
import { pollUntilFine } from "../../time/poll.js";
import type { DrainContext, LbShell, RollNodeRef } from "../mode.js";
import { haproxySetStateCommand, haproxyShowStatCommand } from "./commands.js";
import type { HaproxyDrainAction } from "./commands.js";

const POLL = { firstIntervalMs: 500, maxIntervalMs: 2000 };

export async function drainInHaproxy(inv: Inventory, ctx: DrainContext, node: RollNodeRef): Promise<void> {
  await setNodeState(ctx.shell, node, "drain");
  const timeoutMs = inv.data.haproxy.drain_timeout_s * 1000;
  const open = await pollUntilFine(async () => describeSessions(await readServers(ctx.shell), node), { timeoutMs, ...POLL }, ctx.clock);
  if (open !== undefined)
    ctx.note?.(
      `${node.name}: still ${open} after haproxy.drain_timeout_s (${timeoutMs / 1000} s): going on; those connections end when its Harbor restarts`,
    );
}

export async function undrainInHaproxy(inv: Inventory, ctx: DrainContext, node: RollNodeRef): Promise<void> {
  await setNodeState(ctx.shell, node, "ready");
  // The health check may still have to see the restarted Harbor `rise` times.
  const { check_interval_s, rise } = inv.data.haproxy;
  const timeoutMs = Math.max(30_000, 3 * rise * (check_interval_s + inv.data.keepalived.check_timeout_s) * 1000);
  const out = await pollUntilFine(async () => describeOut(await readServers(ctx.shell), node), { timeoutMs, ...POLL }, ctx.clock);
  if (out === undefined) return;
  throw new HarborHaError(`${node.name}: HAProxy did not take the node back within ${timeoutMs / 1000} s: ${out}`, {
    hint: "Look at the node's health (harbor-ha status shows HAProxy's last check per load balancer), then run the same command again to resume.",
  });
}

/** Sets the node's servers on every load balancer to the state; a load balancer without them has nothing to set. */
async function setNodeState(shell: LbShell, node: RollNodeRef, state: HaproxyDrainAction): Promise<void> {
  const stats = await readServers(shell);
  await shell.runOnEach(
    (lb) => {
      const servers = serversOfNode(stats.get(lb) ?? [], node.address);
      return servers.length > 0 ? haproxySetStateCommand(servers, state) : undefined;
    },
    `HAProxy: ${state} ${node.name}`,
    `could not set ${node.name} to ${state} in HAProxy`,
  );
}

/** Each load balancer's servers, as `show stat` lists them. */
export async function readServers(shell: LbShell): Promise<Map<string, HaproxyServerStat[]>> {
  const out = await shell.runOnEach(() => haproxyShowStatCommand(), "HAProxy: show stat", "could not read HAProxy's servers");
  return new Map([...out].map(([lb, text]) => [lb, parseHaproxyStat(text)]));
}

/** undefined when the node has no session left anywhere; else where it has ("3 sessions on lb1"). */
export function describeSessions(stats: ReadonlyMap<string, readonly HaproxyServerStat[]>, node: RollNodeRef): string | undefined {
  const open = [...stats]
    .map(([lb, servers]) => [lb, serversOfNode(servers, node.address).reduce((n, s) => n + s.sessions, 0)] as const)
    .filter(([, n]) => n > 0);
  return open.length === 0 ? undefined : open.map(([lb, n]) => `${n} session${n === 1 ? "" : "s"} on ${lb}`).join(", ");
}

/** undefined when every load balancer sends the node new connections again; else which do not, and the state they hold. */
export function describeOut(stats: ReadonlyMap<string, readonly HaproxyServerStat[]>, node: RollNodeRef): string | undefined {
  const out = [...stats].flatMap(([lb, servers]) =>
    serversOfNode(servers, node.address)
      .filter((s) => !takesTraffic(s))
      .map((s) => `${lb} holds ${s.backend}/${s.server} ${s.status}${s.checkStatus ? ` (last check ${s.checkStatus})` : ""}`),
  );
  return out.length === 0 ? undefined : out.join(", ");
}

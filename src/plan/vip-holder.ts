/**
 * No load balancer holding the VIP is drift like any other: keepalived runs everywhere and the
 * cluster is provisioned, yet every instance stayed BACKUP (a network cut healed, the VIP
 * removed by hand). The plan restarts keepalived on the load balancer that should win the
 * election (the highest priority: it starts as MASTER), and the load-balancer phase then
 * verifies exactly one holder. Pure.
 */
import type { Inventory } from "../inventory/model.js";
import { effectivePriorities, vipParts } from "../inventory/model.js";
import type { HostFacts } from "../facts/types.js";
import { KEEPALIVED_CONF_PATH } from "../desired/paths.js";
import { masterIndex } from "../render/loadbalancer.js";
import { serviceCommand } from "../steps/commands.js";
import { inPhaseOrder } from "../steps/types.js";
import type { HostPlan, Step } from "../steps/types.js";

/** The restart (and the check after it) that brings the VIP back, on the load balancer that should hold it; none when not needed or not possible. */
export function planVipHolderRepair(inv: Inventory, facts: ReadonlyMap<string, HostFacts>, hosts: readonly HostPlan[]): Step[] {
  const lbs = inv.data.load_balancers;
  const vip = vipParts(inv).address;
  const all = lbs.map((l) => facts.get(l.name));
  if (all.some((f) => f === undefined)) return [];
  const read = all as HostFacts[];
  // Not provisioned yet, keepalived down somewhere (its start is planned), a holder, or another machine answering on the VIP.
  if (read.some((f) => !f.files[KEEPALIVED_CONF_PATH]?.present || f.keepalived?.running !== true || f.vips[vip] === true)) return [];
  if (read.some((f) => f.pings[vip] === true)) return [];
  const winner = lbs[masterIndex(effectivePriorities(lbs))];
  const f = winner && facts.get(winner.name);
  if (!winner || !f) return [];
  const planned = hosts.find((h) => h.host.name === winner.name)?.steps ?? [];
  if (planned.some((s) => s.applies?.includes("restart-keepalived"))) return [];
  const host = winner.name;
  const restart: Step = {
    host,
    phase: "loadbalancers",
    kind: "service",
    title: "restart keepalived",
    reason: `no load balancer holds the VIP ${vip} though keepalived runs on each: ${host} has the highest priority and takes it`,
    action: { type: "run", command: serviceCommand(f.init, "keepalived", "restart") },
    applies: ["restart-keepalived", "reload-keepalived"],
  };
  const check: Step = {
    host,
    phase: "loadbalancers",
    kind: "check",
    title: "check that keepalived still runs",
    reason: "after: restart keepalived (keepalived may exit a moment after its init script said ok)",
    action: { type: "check-keepalived" },
  };
  return [restart, check];
}

/**
 * The load balancers' plans with the VIP holder's repair on the one that should win (when
 * needed): provision's plan and a roll's first load-balancer stage both go through here, so a
 * dry run of either shows it and the run applies it. `repairedOn` names that load balancer.
 */
export function withVipHolderRepair(
  inv: Inventory,
  facts: ReadonlyMap<string, HostFacts>,
  hosts: readonly HostPlan[],
): { hosts: HostPlan[]; repairedOn?: string } {
  const repair = planVipHolderRepair(inv, facts, hosts);
  const on = repair[0]?.host;
  if (on === undefined || !hosts.some((h) => h.host.name === on)) return { hosts: [...hosts] };
  return {
    hosts: hosts.map((h) => (h.host.name === on ? { host: h.host, steps: inPhaseOrder([...h.steps, ...repair]) } : h)),
    repairedOn: on,
  };
}

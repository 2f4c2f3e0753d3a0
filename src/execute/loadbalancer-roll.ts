/**
 * Load-balancer changes, one load balancer at a time: backups first, the VIP holder last
 * (so the VIP moves at most once), each with the reload or restart its plan says; after
 * each one, keepalived still runs there and exactly one load balancer holds the VIP.
 * Used by reconfigure, and by provision on a cluster whose VIP is already served.
 */
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import type { HostPlan, Plan } from "../steps/types.js";
import { PHASES } from "../steps/types.js";
import { runPhase } from "./run-phase.js";
import type { EmitEvent } from "../events.js";
import { gatherVipHolders, verifySingleVipHolder } from "../gather/verify.js";

/**
 * Backups in the order given, then the VIP holder(s). With nobody holding the VIP, the load
 * balancer that takes it back (`regainsVip`) goes first: the check after each one wants exactly
 * one holder, which only its restart brings. Pure.
 */
export function orderLoadBalancers(names: readonly string[], vipHolders: readonly string[], regainsVip?: string): string[] {
  const first = vipHolders.length === 0 && regainsVip !== undefined && names.includes(regainsVip) ? [regainsVip] : [];
  const rest = names.filter((n) => !first.includes(n));
  return [...first, ...rest.filter((n) => !vipHolders.includes(n)), ...rest.filter((n) => vipHolders.includes(n))];
}

/** Runs one host's steps, phase by phase; throws the host's failure after emitting it. Returns the titles done. */
export async function applyHostPlan(pool: SshPool, hostPlan: HostPlan, emit: EmitEvent, isInterrupted: () => boolean): Promise<string[]> {
  const plan: Plan = { hosts: [hostPlan], problems: [] };
  const done: string[] = [];
  for (const phase of PHASES) {
    if (!hostPlan.steps.some((s) => s.phase === phase)) continue;
    const r = await runPhase(pool, plan, phase, emit, isInterrupted);
    done.push(...(r.done.get(hostPlan.host.name) ?? []));
    const failure = r.failures.get(hostPlan.host.name);
    if (failure) throw failure;
  }
  return done;
}

export interface LbRollResult {
  done: Map<string, string[]>;
  vipHolder?: string;
}

/** Rolls the load balancers that have steps, backup first (or the one that takes a lost VIP back); stops at the first failure (thrown). */
export async function rollLoadBalancers(
  pool: SshPool,
  inv: Inventory,
  plans: readonly HostPlan[],
  emit: EmitEvent,
  isInterrupted: () => boolean,
  regainsVip?: string,
): Promise<LbRollResult> {
  const withSteps = plans.filter((p) => p.steps.length > 0);
  const result: LbRollResult = { done: new Map() };
  if (withSteps.length === 0) return result;
  const holders = await gatherVipHolders(pool, inv);
  for (const name of orderLoadBalancers(
    withSteps.map((p) => p.host.name),
    holders,
    regainsVip,
  )) {
    const hostPlan = withSteps.find((p) => p.host.name === name);
    if (!hostPlan) continue;
    const role = holders.includes(name)
      ? "holds the VIP: changed last"
      : holders.length === 0 && name === regainsVip
        ? "nobody holds the VIP: restarted first, to take it back"
        : "backup: changed first";
    emit({ type: "note", level: "info", host: name, message: role });
    result.done.set(name, await applyHostPlan(pool, hostPlan, emit, isInterrupted));
    result.vipHolder = await verifySingleVipHolder(pool, inv);
    emit({ type: "note", level: "info", message: `after ${name}: VIP ${inv.data.cluster.vip} is held by ${result.vipHolder} alone` });
  }
  return result;
}

/**
 * The whole rolling run as one value, computed before anything changes: reconfigure,
 * rotate-certs and scaling print it with --dry-run and execute it as it is. In the order the
 * run goes:
 *   storage-check   every node sees one marker in the registry's storage (before any install)
 *   drain-removed   nodes the inventory removed leave service
 *   loadbalancers   one at a time, backups first and the VIP holder last, rendered for the
 *                   nodes already serving (and trusting the old CA beside a new one)
 *   stop-removed    Harbor stops on the removed nodes (files kept unless purge)
 *   scale-out       added nodes are provisioned and pass their health gate
 *   roll            changed nodes in batches: drain → apply → health gate → undrain
 *   settings        Harbor's database-held settings, once, through its API
 *   loadbalancers-final  the load balancers get the added nodes and the final CA
 * The final load-balancer stage depends on the first one: it is planned against the facts
 * the first stage leaves (plan/roll/converged-facts.ts) and says so. Pure.
 */
import type { ClusterState, Inventory } from "../../inventory/model.js";
import type { Redactor } from "../../inventory/secret.js";
import type { DesiredHost, DesiredState } from "../../desired/types.js";
import type { HostFacts } from "../../facts/types.js";
import type { LoadBalancingMode, RollNodeRef } from "../../lb/mode.js";
import { renderDesiredState } from "../../render/desired-state.js";
import type { HostPlan, Plan, Step } from "../../steps/types.js";
import { planLoadBalancer } from "../loadbalancer.js";
import { withVipHolderRepair } from "../vip-holder.js";
import { convergedFacts } from "./converged-facts.js";
import { inventoryWithNodes } from "./membership.js";
import type { Membership } from "./membership.js";
import { splitForRoll } from "./split.js";
import { limitStepsToTls, withTransitionCa } from "./tls.js";

export type RollNode = RollNodeRef;

/** A node and the steps it applies when its turn comes. */
export interface NodeSteps {
  node: RollNode;
  steps: Step[];
}

export type RollStage =
  | { kind: "storage-check"; plan: Plan }
  | { kind: "drain-removed"; nodes: RollNode[] }
  | {
      kind: "loadbalancers";
      name: "loadbalancers" | "loadbalancers-final";
      hosts: HostPlan[];
      /** Planned from the state an earlier stage leaves, not from what the hosts hold now. */
      after?: string;
      /** Nobody holds the VIP: this load balancer restarts keepalived to take it back, first (plan/vip-holder.ts). */
      regainsVip?: string;
    }
  | { kind: "stop-removed"; nodes: RollNode[]; purge: boolean }
  | { kind: "scale-out"; nodes: NodeSteps[] }
  | { kind: "roll"; batches: NodeSteps[][] }
  | { kind: "settings"; plan: Plan };

export interface RollPlan {
  stages: RollStage[];
}

export interface RollPlanInput {
  inv: Inventory;
  mode: LoadBalancingMode;
  state: ClusterState;
  redactor: Redactor;
  /** Every host's facts, read in the preflight. */
  facts: ReadonlyMap<string, HostFacts>;
  /** The cluster's plan as provision would make it (limited to the TLS material for rotate-certs). */
  plan: Plan;
  membership: Membership;
  /** The serving nodes to roll, in batches (plan/roll/safety.ts). */
  batches: RollNode[][];
  inScope: (name: string) => boolean;
  tlsOnly: boolean;
  purge: boolean;
}

export function planRoll(input: RollPlanInput): RollPlan {
  const { inv, plan, membership, inScope } = input;
  const split = splitForRoll(plan);
  const stepsOf = (name: string) => split.nodes.hosts.find((h) => h.host.name === name)?.steps ?? [];
  const removed = membership.removed.filter(inScope).map((a) => ({ name: a, address: a }));
  const added = membership.added.filter((n) => inScope(n.name)).map((n) => ({ name: n.name, address: n.address }));
  const lbNames = inv.data.load_balancers.map((l) => l.name).filter(inScope);

  const first = planLbStage(input, lbNames, added, "first");
  const final = planLbStage(input, lbNames, [], "final", first.desired);
  const settings: Plan = { ...split.settings, hosts: split.settings.hosts.filter((h) => inScope(h.host.name)) };
  const stages: Array<RollStage | undefined> = [
    hasSteps(split.storageCheck) ? { kind: "storage-check", plan: split.storageCheck } : undefined,
    removed.length > 0 ? { kind: "drain-removed", nodes: removed } : undefined,
    first.hosts.some((h) => h.steps.length > 0)
      ? {
          kind: "loadbalancers",
          name: "loadbalancers",
          hosts: first.hosts,
          ...(first.regainsVip === undefined ? {} : { regainsVip: first.regainsVip }),
        }
      : undefined,
    removed.length > 0 ? { kind: "stop-removed", nodes: removed, purge: input.purge } : undefined,
    added.length > 0 ? { kind: "scale-out", nodes: added.map((node) => ({ node, steps: stepsOf(node.name) })) } : undefined,
    input.batches.length > 0
      ? { kind: "roll", batches: input.batches.map((b) => b.map((node) => ({ node, steps: stepsOf(node.name) }))) }
      : undefined,
    hasSteps(settings) ? { kind: "settings", plan: settings } : undefined,
    final.hosts.some((h) => h.steps.length > 0)
      ? { kind: "loadbalancers", name: "loadbalancers-final", hosts: final.hosts, after: "the first load-balancer stage" }
      : undefined,
  ];
  return { stages: stages.filter((s): s is RollStage => s !== undefined) };
}

function hasSteps(plan: Plan): boolean {
  return plan.hosts.some((h) => h.steps.length > 0);
}

/**
 * The load balancers' steps for the nodes already serving (first: the added nodes left out, a
 * changing CA trusted beside the old one while nodes roll, and the VIP taken back when nobody
 * holds it, as provision plans it) or for every node (final, planned against what the first
 * stage leaves: a VIP holder among them, which the first stage verified).
 */
function planLbStage(
  input: RollPlanInput,
  lbNames: readonly string[],
  leftOut: readonly RollNode[],
  which: "first" | "final",
  before?: ReadonlyMap<string, DesiredHost>,
): { hosts: HostPlan[]; desired: Map<string, DesiredHost>; regainsVip?: string } {
  const { inv, state, facts, mode, redactor } = input;
  const skip = new Set(leftOut.map((n) => n.name));
  const stageInv = inventoryWithNodes(
    inv,
    inv.data.harbor_nodes.filter((n) => !skip.has(n.name)),
  );
  const desiredLbs = renderLbs(stageInv, state, lbNames);
  const desired = new Map<string, DesiredHost>();
  const hosts: HostPlan[] = desiredLbs.map((d) => {
    const now = facts.get(d.host.name);
    if (!now) return { host: d.host, steps: [] };
    const priorDesired = before?.get(d.host.name);
    const f = priorDesired ? convergedFacts(now, priorDesired) : now;
    const target = which === "first" ? withTransitionCa(d, now) : d;
    desired.set(d.host.name, target);
    const steps = planLoadBalancer(mode, target, f, redactor);
    return { host: d.host, steps: input.tlsOnly ? limitStepsToTls(steps, f) : steps };
  });
  if (which === "final") return { hosts, desired };
  const repaired = withVipHolderRepair(inv, facts, hosts);
  return { hosts: repaired.hosts, desired, ...(repaired.repairedOn === undefined ? {} : { regainsVip: repaired.repairedOn }) };
}

function renderLbs(inv: Inventory, state: ClusterState, lbNames: readonly string[]): DesiredHost[] {
  const rendered: DesiredState = renderDesiredState(inv, state);
  return rendered.hosts.filter((d) => d.host.role === "loadbalancer" && lbNames.includes(d.host.name));
}

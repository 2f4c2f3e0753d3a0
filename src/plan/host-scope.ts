/**
 * provision's `--limit`: the cluster's plan cut down to the hosts the operator named, without
 * leaving the cluster inconsistent. The preflight still reads every host (the VIP holder, the
 * shared secrets and the restart limit are judged on the whole cluster); then:
 *   - the steps of hosts outside the limit are left out, and said (a warning per host);
 *   - the load balancers change together: a load balancer outside the limit whose keepalived or
 *     HAProxy files would change refuses the run (one changed, the other not, would disagree
 *     about the VIP's servers, and nodes' VIP rules would not match what the load balancers send);
 *   - the shared-storage check keeps its marker writer when a node inside the limit reads it
 *     (a check file, nothing else: the proof that the storage is shared needs two nodes);
 *   - the database (one for the cluster) is created or loaded only when a Harbor node is inside
 *     the limit (its Harbor needs it); a limit of load balancers leaves it as it is.
 * Pure.
 */
import { isSharedStorageCheck } from "./shared-storage.js";
import type { HostPlan, Plan, PreflightProblem, Step } from "../steps/types.js";

export interface ScopedPlan {
  plan: Plan;
  /** Hosts outside the limit whose steps were left out, one line each for the operator. */
  leftOut: string[];
  /** Whether a Harbor node is inside the limit (the shared database's step may run). */
  anyNode: boolean;
}

/** `plan` limited to the hosts `inScope` accepts; refusals are added to its problems. */
export function limitPlanToHosts(plan: Plan, inScope: (name: string) => boolean): ScopedPlan {
  const readers = plan.hosts.flatMap((h) =>
    inScope(h.host.name) ? h.steps.filter((s) => isSharedStorageCheck(s) && s.phase === "storage-check") : [],
  );
  const keep = (s: Step): boolean => inScope(s.host) || (isSharedStorageCheck(s) && s.phase === "storage" && readers.length > 0);
  const problems: PreflightProblem[] = [...plan.problems];
  const leftOut: string[] = [];
  const hosts: HostPlan[] = plan.hosts.map((h) => {
    const kept = h.steps.filter(keep);
    const dropped = h.steps.length - kept.length;
    if (dropped > 0) leftOut.push(`${h.host.name}: ${dropped} change${dropped === 1 ? "" : "s"} left as they are (outside --limit)`);
    return { host: h.host, steps: kept };
  });
  const lbsOutside = plan.hosts.filter(
    (h) => h.host.role === "loadbalancer" && !inScope(h.host.name) && h.steps.some((s) => s.phase === "loadbalancers"),
  );
  for (const lb of lbsOutside)
    problems.push({
      host: lb.host.name,
      message: `its load-balancer files would change (${lb.steps.filter((s) => s.phase === "loadbalancers").length} steps) and it is outside --limit: the load balancers change together`,
      hint: `Add ${lb.host.name} to --limit (every load balancer with changes: --limit 'lb*,…'), or run without --limit.`,
    });
  const anyNode = plan.hosts.some((h) => h.host.role !== "loadbalancer" && inScope(h.host.name));
  return { plan: { hosts, problems }, leftOut, anyNode };
}

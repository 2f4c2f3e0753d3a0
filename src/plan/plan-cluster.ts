/** The whole plan: every host's steps by phase, and the preflight problems. Pure. */
import { adaptToTarget, targetFamily, targetProblems } from "./target-system.js";
import type { Inventory } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { planHarbor, planStorage } from "./harbor-node.js";
import type { BundleInfo } from "./harbor-node.js";
import { planLoadBalancer } from "./loadbalancer.js";
import { heldSecretProblems } from "./held-secrets.js";
import { preflightProblems } from "./preflight.js";
import { planSharedStorageCheck } from "./shared-storage.js";
import { withVipHolderRepair } from "./vip-holder.js";
import { generationOf } from "../harbor/generations.js";
import { modeOf } from "../lb/modes.js";
import { inPhaseOrder } from "../steps/types.js";
import type { HostPlan, Plan, Step } from "../steps/types.js";

export interface PlanContext {
  inv: Inventory;
  redactor: Redactor;
  bundle: BundleInfo;
  /** How long Harbor may take to start on a node after install.sh (--health-timeout-s). */
  startupTimeoutMs?: number;
  /** This run's random marker for the shared-storage check. */
  sharedStorageMarker: string;
}

export function planCluster(desired: DesiredState, facts: ReadonlyMap<string, HostFacts>, ctx: PlanContext): Plan {
  const generation = generationOf(ctx.inv);
  const mode = modeOf(ctx.inv);
  const planned = desired.hosts.map((rendered) => {
    const f = facts.get(rendered.host.name);
    if (!f) return { host: rendered.host, steps: [] };
    // Package names and keepalived's daemon-options file as the host's system family names them.
    const d = adaptToTarget(rendered, targetFamily(f) ?? "debian");
    const steps =
      d.host.role === "loadbalancer"
        ? planLoadBalancer(mode, d, f, ctx.redactor)
        : [
            ...planStorage(d, f),
            ...planHarbor(
              ctx.inv,
              d,
              f,
              ctx.bundle,
              ctx.redactor,
              ctx.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: ctx.startupTimeoutMs },
            ),
          ];
    return { host: d.host, steps };
  });
  const hosts = withVipHolderRepair(ctx.inv, facts, planned).hosts;
  const nodePlans = hosts.filter((h) => h.host.role === "harbor-node" && facts.has(h.host.name));
  const inv = ctx.inv;
  // Harbor 1.x keeps some settings only in its database (applied through its API); 2.x reads them all from harbor.yml.
  const settings = generation.settings;
  const settingsFacts = settings && facts.get(settings.node);
  const clusterSteps = [
    ...planSharedStorageCheck(generation, nodePlans, ctx.sharedStorageMarker),
    ...(settings && settingsFacts ? settings.plan(settingsFacts) : []),
  ];
  const problems = [
    ...heldSecretProblems(inv, desired.hosts, facts),
    ...desired.hosts.flatMap((d) => {
      const f = facts.get(d.host.name);
      return f ? targetProblems(d, f) : [];
    }),
    ...preflightProblems(inv, desired.hosts, facts),
    ...(settings ? settings.preflight(settingsFacts) : []),
  ];
  return { hosts: hosts.map((h) => withClusterSteps(h, clusterSteps)), problems };
}

/** The host's steps with its share of the cluster-wide steps, each in its phase (stable: the order within a phase is kept). */
function withClusterSteps(h: HostPlan, clusterSteps: readonly Step[]): HostPlan {
  const mine = clusterSteps.filter((s) => s.host === h.host.name);
  if (mine.length === 0) return h;
  return { host: h.host, steps: inPhaseOrder([...h.steps, ...mine]) };
}

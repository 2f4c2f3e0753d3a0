/**
 * Before a roll changes anything: facts of every host (one round trip each), the plan
 * provision would make, which nodes the load balancers serve, which are healthy, the batches —
 * refused up front when they would take too many nodes out — and the whole run as one value
 * (plan/roll/roll-plan.ts), which --dry-run prints and the run executes. Read-only.
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import type { SshPool } from "../remote/pool.js";
import { planCluster } from "../plan/plan-cluster.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { queriesFor } from "../plan/queries.js";
import type { Plan } from "../steps/types.js";
import { refusalExitCode } from "../steps/types.js";
import type { PreflightProblemCode } from "../steps/types.js";
import { gatherFactsKnowing } from "../gather/facts.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { newSharedStorageMarker } from "../run/cluster-run.js";
import type { DatabaseEdge } from "../db/edge.js";
import { gatherNodeChecks } from "../gather/verify.js";
import type { NodeCheck } from "../gather/verify.js";
import { HarborHaError, UsageError } from "../errors.js";
import type { ProblemItem } from "../errors.js";
import { readMembership } from "../plan/roll/membership.js";
import type { Membership } from "../plan/roll/membership.js";
import { planBatches, refuseUnsafeRoll } from "../plan/roll/safety.js";
import { planRoll } from "../plan/roll/roll-plan.js";
import { describeDrained, readDrainedNodes } from "../plan/roll/drained.js";
import type { RollNode, RollPlan } from "../plan/roll/roll-plan.js";
import { limitPlanToTls } from "../plan/roll/tls.js";
import { splitForRoll } from "../plan/roll/split.js";
import { modeOf } from "../lb/modes.js";

export interface RollSetup {
  /** Every host's steps, as provision would plan them (limited to the TLS material for rotate-certs). */
  plan: Plan;
  /** The run, stage by stage: what --dry-run prints and what the run executes. */
  rollPlan: RollPlan;
  facts: Map<string, HostFacts>;
  membership: Membership;
  nodeChecks: NodeCheck[];
  healthy: string[];
  /** Node addresses some load balancer holds drained now (drain marker, HAProxy's runtime state). */
  drained: string[];
  batches: RollNode[][];
  /** Hosts the run may touch (--limit), by name; removed nodes by address. */
  inScope: (name: string) => boolean;
}

export interface SetupOptions {
  /** How the database's state is read (mysql2 in a real run). */
  database: DatabaseEdge;
  tlsOnly: boolean;
  /** How long Harbor may take to start on a node after install.sh. */
  startupTimeoutMs: number;
  serial: number;
  limit?: readonly string[];
  /** A dry run: the state folder's caches are only read. */
  dryRun?: boolean;
  /** Scale in: remove Harbor's files from removed nodes too. */
  purge: boolean;
  /** Preflight problems the command expects and handles itself (upgrade: the release change). */
  expect?: readonly PreflightProblemCode[];
}

export class RollRefused extends HarborHaError {}

const hintOf = (e: Error): string | undefined => (e instanceof HarborHaError ? e.hint : undefined);

/** "host: message", then what to do, as the refusal lists it. */
function describeItem(p: ProblemItem): string {
  return `${p.host}: ${p.message}${p.hint ? `\n    → ${p.hint}` : ""}`;
}

export async function prepareRoll(
  pool: SshPool,
  inv: Inventory,
  state: ClusterState,
  desired: DesiredState,
  bundle: BundleInfo,
  redactor: Redactor,
  opts: SetupOptions,
): Promise<RollSetup> {
  const queries = new Map(desired.hosts.map((d) => [d.host.name, queriesFor(inv, d, bundle)]));
  const [gathered, database] = await Promise.all([
    gatherFactsKnowing(pool, queries, clusterStateDir(inv), { persist: opts.dryRun !== true }),
    opts.database.preflight(inv, desired.database, pool, false, { persist: opts.dryRun !== true }).catch((e: Error) => e),
  ]);
  const items: ProblemItem[] = [...gathered.failures].map(([host, e]) => ({ host, message: e.message, ...(hintOf(e) ? { hint: hintOf(e) } : {}) }));
  if (database instanceof Error) items.push({ host: "database", message: database.message });
  else if (database.plan.action !== "skip")
    items.push({
      host: "database",
      message: `${database.plan.reason} — a rolling run never loads or re-initialises the schema`,
      hint: "Run harbor-ha provision for that.",
    });
  const full = planCluster(desired, gathered.facts, {
    inv,
    redactor,
    bundle,
    startupTimeoutMs: opts.startupTimeoutMs,
    sharedStorageMarker: newSharedStorageMarker(inv),
  });
  // A command that expects a problem (upgrade: the release change) does not refuse on it.
  const expected = new Set(opts.expect ?? []);
  const refusing = full.problems.filter((p) => p.code === undefined || !expected.has(p.code));
  items.push(...refusing.map(({ host, message, hint }) => ({ host, message, hint })));
  if (items.length > 0)
    throw new RollRefused(`preflight failed; nothing was changed on any host:\n  ${items.map(describeItem).join("\n  ")}`, {
      hint: "Fix the problems above and run again.",
      exitCode: refusalExitCode(refusing),
      items,
    });

  const lbFacts = new Map([...gathered.facts].filter(([h]) => inv.data.load_balancers.some((l) => l.name === h)));
  const mode = modeOf(inv);
  const membership = readMembership(inv, mode, lbFacts);
  if (membership.unprovisioned.length > 0) {
    throw new RollRefused(`${membership.unprovisioned.join(", ")} has no keepalived.conf: this cluster was not provisioned yet`, {
      hint: "Run `harbor-ha provision` first; reconfigure changes a running cluster.",
    });
  }
  if (opts.tlsOnly) {
    // Certificate rotation changes no membership: new nodes wait for reconfigure.
    membership.added = [];
    membership.removed = [];
  }
  const inScope = scopeOf(inv, membership, opts.limit);
  const plan = opts.tlsOnly ? limitPlanToTls(full, gathered.facts) : full;

  const nodeChecks = await gatherNodeChecks(pool, inv);
  const serving = inv.data.harbor_nodes.filter((n) => membership.serving.includes(n.address));
  // Observed on the load balancers, whoever drained them: out of service, however check.sh answers.
  const drainedNodes = readDrainedNodes(inv, mode, lbFacts);
  const drained = drainedNodes.map((n) => n.address);
  const healthy = serving
    .filter((n) => nodeChecks.filter((c) => c.node === n.name).every((c) => c.ok) && nodeChecks.some((c) => c.node === n.name))
    .filter((n) => !drained.includes(n.address))
    .map((n) => n.name);
  const roll = splitForRoll(plan);
  const toRoll = serving.filter(
    (n) => inScope(n.name) && ((roll.nodes.hosts.find((h) => h.host.name === n.name)?.steps.length ?? 0) > 0 || drained.includes(n.address)),
  );
  const batches = planBatches(
    toRoll.map((n) => ({ name: n.name, address: n.address })),
    new Set(serving.map((n) => n.name).filter((n) => !healthy.includes(n))),
    opts.serial,
  );
  const refusal = refuseUnsafeRoll({
    batches,
    healthy,
    serving: serving.map((n) => n.name),
    serial: opts.serial,
    drained: drainedNodes.map((n) => n.name),
  });
  if (refusal)
    throw new RollRefused(`refusing to roll: ${refusal}; nothing was changed`, {
      hint:
        drainedNodes.length > 0
          ? `${describeDrained(drainedNodes)}: run without --limit (or include it) so the roll puts it back first, or harbor-ha provision.`
          : "Bring the failing nodes back first (harbor-ha provision, or fix them by hand), or roll with a smaller --serial.",
    });
  const rollPlan = planRoll({
    inv,
    mode,
    state,
    redactor,
    facts: gathered.facts,
    plan,
    membership,
    batches,
    inScope,
    tlsOnly: opts.tlsOnly,
    purge: opts.purge,
  });
  return { plan, rollPlan, facts: gathered.facts, membership, nodeChecks, healthy, drained, batches, inScope };
}

/** --limit: every name must be an inventory host or a removed node's address. */
function scopeOf(inv: Inventory, m: Membership, limit: readonly string[] | undefined): (name: string) => boolean {
  if (!limit || limit.length === 0) return () => true;
  const known = [...inv.data.load_balancers.map((l) => l.name), ...inv.data.harbor_nodes.map((n) => n.name), ...m.removed];
  const unknown = limit.filter((l) => !known.includes(l));
  if (unknown.length > 0) throw new UsageError(`--limit names unknown hosts: ${unknown.join(", ")}`, `Known hosts: ${known.join(", ")}.`);
  return (name) => limit.includes(name);
}

/**
 * The status report from what was gathered: facts (one round trip per host), check.sh
 * from every load balancer, IPVS tables. Pure: tested on given facts.
 */
import type { Inventory } from "../inventory/model.js";
import { HARBOR2_UPGRADE_STAMP_PATH } from "../harbor/v2/read-only.js";
import { vipParts } from "../inventory/model.js";
import { generationOf } from "../harbor/generations.js";
import { modeOf } from "../lb/modes.js";
import type { HarborGeneration } from "../harbor/generation.js";
import type { LbStatusReading } from "../lb/mode.js";
import type { DesiredHost, DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { sha256Hex } from "../facts/queries.js";
import { fileDrift } from "../steps/host-steps.js";
import { LOCK_DIR, LOCK_OWNER_PATH } from "../lock/commands.js";
import { parseLockOwner } from "../lock/owner.js";
import { checkSecretConsistency } from "./secrets.js";
import { adaptToTarget, targetFamily } from "../plan/target-system.js";
import { listProblems } from "./problems.js";
import { PENDING_WHAT, pendingOn, pendingSince } from "../steps/pending.js";
import type {
  DatabaseStatus,
  FileDriftItem,
  PendingChange,
  LoadBalancerStatus,
  NodeHealthFromLb,
  NodeStatus,
  SecretConsistency,
  SettingsStatus,
  StatusReport,
} from "./types.js";

export interface StatusInput {
  inv: Inventory;
  desired: DesiredState;
  facts: ReadonlyMap<string, HostFacts>;
  /** Hosts whose facts could not be gathered, with why. */
  failures: ReadonlyMap<string, Error>;
  checks: readonly NodeHealthFromLb[];
  /** What the load-balancing mode read of the load balancers (IPVS tables, HAProxy's servers). */
  modeReading: LbStatusReading;
  /** The registry database, when it was checked. */
  database?: DatabaseStatus;
  /** --limit: the hosts read, by name; the others are reported as outside it, never judged. */
  limit?: readonly string[];
}

/** The files whose copies must be identical on every node, by path (the render's, named by the generation). */
export function secretFilePaths(generation: HarborGeneration, desired: DesiredState): Array<{ name: string; path: string }> {
  const node = desired.hosts.find((h) => h.host.role === "harbor-node");
  const paths = node?.files.filter((f) => f.sensitive).map((f) => f.path) ?? [];
  return paths.flatMap((path) => {
    const name = generation.sharedSecretFiles.get(path);
    return name === undefined ? [] : [{ name, path }];
  });
}

export function buildStatusReport(input: StatusInput): StatusReport {
  const { inv, desired, facts } = input;
  const generation = generationOf(inv);
  const vip = vipParts(inv).address;
  const desiredByName = new Map(desired.hosts.map((d) => [d.host.name, d]));
  const nameByAddress = new Map(inv.data.harbor_nodes.map((n) => [n.address, n.name]));
  const limit = input.limit;
  const inScope = (name: string): boolean => !limit || limit.includes(name);
  const loadBalancers = inv.data.load_balancers
    .filter((lb) => inScope(lb.name))
    .map((lb): LoadBalancerStatus => {
      const f = facts.get(lb.name);
      const error = input.failures.get(lb.name)?.message;
      const lockPresent = f?.dirs[LOCK_DIR]?.present === true;
      return {
        name: lb.name,
        address: lb.address,
        ...(error ? { error } : {}),
        ...(f?.keepalived ? { keepalived: f.keepalived } : {}),
        holdsVip: f?.vips[vip] === true,
        drained: (f ? modeOf(inv).drainedAddresses(f) : []).map((a) => nameByAddress.get(a) ?? a),
        checks: input.checks.filter((c) => c.lb === lb.name),
        ipvs: input.modeReading.ipvs?.get(lb.name) ?? null,
        ...(input.modeReading.haproxy
          ? { haproxy: { running: f?.haproxy?.running === true, servers: input.modeReading.haproxy.get(lb.name) ?? null } }
          : {}),
        lock: lockPresent ? (parseLockOwner(f?.files[LOCK_OWNER_PATH]?.content ?? "") ?? "unknown holder") : null,
        drift: f ? driftOf(desiredByName.get(lb.name), f) : [],
        pending: f ? pendingOf(f) : [],
      };
    });
  const healthUrl = generation.localHealthUrl;
  const nodes = inv.data.harbor_nodes
    .filter((n) => inScope(n.name))
    .map((n): NodeStatus => {
      const f = facts.get(n.name);
      const error = input.failures.get(n.name)?.message;
      const httpStatus = f?.http[healthUrl] ?? 0;
      const upgrade = f?.stamps[HARBOR2_UPGRADE_STAMP_PATH]?.trim();
      return {
        name: n.name,
        address: n.address,
        ...(error ? { error } : {}),
        harborUp: httpStatus === 200,
        httpStatus,
        health: input.checks.filter((c) => c.node === n.name),
        drainedOn: loadBalancers.filter((lb) => lb.drained.includes(n.name)).map((lb) => lb.name),
        drift: f ? [...driftOf(desiredByName.get(n.name), f), ...liveDriftOf(generation, desiredByName.get(n.name), f)] : [],
        pending: f ? pendingOf(f) : [],
        ...(upgrade ? { upgrade } : {}),
      };
    });
  const secrets = secretsOf(generation, input);
  const unreadLbs = loadBalancers.filter((l) => l.error !== undefined || !facts.has(l.name)).map((l) => l.name);
  const outside = limit
    ? {
        outsideLimit: {
          loadBalancers: inv.data.load_balancers.filter((l) => !inScope(l.name)).map((l) => l.name),
          nodes: inv.data.harbor_nodes.filter((n) => !inScope(n.name)).map((n) => n.name),
        },
      }
    : {};
  const settings = settingsOf(generation, facts);
  const cluster = {
    vip,
    vipHolders: loadBalancers.filter((l) => l.holdsVip).map((l) => l.name),
    lockedOn: loadBalancers.flatMap((l) => (l.lock === null ? [] : [{ host: l.name, owner: l.lock }])),
    unreadLoadBalancers: unreadLbs,
    secrets,
    // Harbor's settings are asked of one node: not judged when that node is outside --limit.
    ...(settings.settings && !inScope(settings.settings.node) ? {} : settings),
    ...(input.database ? { database: input.database } : {}),
    ...outside,
  };
  const problems = listProblems(inv, loadBalancers, nodes, cluster);
  return { healthy: problems.length === 0, loadBalancers, nodes, cluster, problems };
}

function driftOf(rendered: DesiredHost | undefined, f: HostFacts): FileDriftItem[] {
  if (!rendered) return [];
  // keepalived's daemon-options file where the host's system family keeps it.
  const d = adaptToTarget(rendered, targetFamily(f) ?? "debian");
  return d.files.flatMap((file) => {
    const reason = fileDrift(file, f.files[file.path]);
    return reason ? [{ path: file.path, reason }] : [];
  });
}

/** Changes written but not applied: the files match, yet what runs is older (a run stopped in between). */
function pendingOf(f: HostFacts): PendingChange[] {
  return [...pendingOn(f)].sort().map((h) => ({ change: h, what: PENDING_WHAT[h], since: pendingSince(f.pending[h] ?? 0) }));
}

function secretsOf(generation: HarborGeneration, input: StatusInput): SecretConsistency[] {
  const reachable = input.inv.data.harbor_nodes.filter((n) => input.facts.has(n.name));
  const unreadNodes = input.inv.data.harbor_nodes.filter((n) => !input.facts.has(n.name)).map((n) => n.name);
  const firstNode = input.desired.hosts.find((h) => h.host.role === "harbor-node");
  return secretFilePaths(generation, input.desired).map(({ name, path }) => {
    const desiredFile = firstNode?.files.find((f) => f.path === path);
    const byNode = new Map(
      reachable.map((n) => {
        const fact = input.facts.get(n.name)?.files[path];
        return [n.name, fact?.present ? fact.sha256 : undefined] as const;
      }),
    );
    const copies = checkSecretConsistency({ name, path, desiredSha256: desiredFile ? sha256Hex(desiredFile.content) : "", byNode, unreadNodes });
    // A node whose Harbor uses another copy than harbor-ha's (prepare restored an old one) differs too: one verdict, not two.
    const liveOdd = reachable
      .filter((n) => {
        const f = input.facts.get(n.name);
        const d = input.desired.hosts.find((h) => h.host.name === n.name);
        return f !== undefined && d !== undefined && generation.liveDrift(d, f).some((x) => x.renderedFrom === path);
      })
      .map((n) => n.name);
    const odd = new Set([...copies.oddNodes, ...liveOdd]);
    return { ...copies, consistent: copies.consistent && liveOdd.length === 0, oddNodes: reachable.map((n) => n.name).filter((n) => odd.has(n)) };
  });
}

/** The files Harbor really uses, against the render (an old key prepare restored shows here). */
function liveDriftOf(generation: HarborGeneration, d: DesiredHost | undefined, f: HostFacts): FileDriftItem[] {
  return d ? generation.liveDrift(d, f).map(({ path, reason }) => ({ path, reason })) : [];
}

function settingsOf(generation: HarborGeneration, facts: ReadonlyMap<string, HostFacts>): { settings?: SettingsStatus } {
  const settings = generation.settings;
  if (settings === undefined || settings.count === 0) return {};
  return { settings: { node: settings.node, ...settings.view(facts.get(settings.node)) } };
}

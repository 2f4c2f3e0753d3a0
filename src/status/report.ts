/**
 * The status report from what was gathered: facts (one round trip per host), check.sh
 * from every load balancer, IPVS tables. Pure: tested on given facts.
 */
import type { Inventory } from "../inventory/model.js";
import { isHarbor2Vm, usesHaproxy, vipParts } from "../inventory/model.js";
import { SECRETKEY_PATH } from "../harbor/layout.js";
import { HARBOR2_SECRETKEY_PATH, HARBOR2_TOKEN_KEY_PATH } from "../harbor/harbor2-layout.js";
import { HARBOR2_PINNED_SECRETS_PATH } from "../render/harbor2-node.js";
import type { HaproxyServerStat } from "../lb/haproxy/commands.js";
import type { DesiredHost, DesiredState } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { sha256Hex } from "../facts/queries.js";
import { fileDrift } from "../steps/host-steps.js";
import { localHealthUrl } from "../plan/harbor-node.js";
import { LOCK_DIR, LOCK_OWNER_PATH } from "../lock/commands.js";
import { parseLockOwner } from "../lock/owner.js";
import { checkSecretConsistency } from "./secrets.js";
import { liveFileDrift } from "../plan/live-files.js";
import { harbor2EnvDrift } from "../plan/harbor2-live.js";
import { desiredDbSettings, settingsDrift, settingsNode } from "../plan/harbor-settings.js";
import { listProblems } from "./problems.js";
import { PENDING_WHAT, pendingOn, pendingSince } from "../steps/pending.js";
import type {
  DatabaseStatus,
  FileDriftItem,
  IpvsService,
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
  /** Per load balancer: its IPVS table, or null where IPVS is not available. */
  ipvs: ReadonlyMap<string, IpvsService[] | null>;
  /** The registry database, when it was checked. */
  database?: DatabaseStatus;
  /** load_balancing: haproxy: per load balancer, HAProxy's servers (`show stat`), or null where its runtime API did not answer. */
  haproxy?: ReadonlyMap<string, HaproxyServerStat[] | null>;
}

/** The files whose copies must be identical on every node, by path (from the render). */
export function secretFilePaths(desired: DesiredState): Array<{ name: string; path: string }> {
  const node = desired.hosts.find((h) => h.host.role === "harbor-node");
  const paths = node?.files.filter((f) => f.sensitive).map((f) => f.path) ?? [];
  const names = new Map<string, string>([
    [SECRETKEY_PATH, "secretkey"],
    [HARBOR2_SECRETKEY_PATH, "secretkey"],
    [HARBOR2_TOKEN_KEY_PATH, "token signing key"],
    [HARBOR2_PINNED_SECRETS_PATH, "core, job service and CSRF secrets"],
  ]);
  return paths.flatMap((path) => {
    const name = names.get(path) ?? (path.endsWith("/ha/private_key.pem") ? "token signing key" : undefined);
    return name === undefined ? [] : [{ name, path }];
  });
}

export function buildStatusReport(input: StatusInput): StatusReport {
  const { inv, desired, facts } = input;
  const vip = vipParts(inv).address;
  const desiredByName = new Map(desired.hosts.map((d) => [d.host.name, d]));
  const nameByAddress = new Map(inv.data.harbor_nodes.map((n) => [n.address, n.name]));
  const loadBalancers = inv.data.load_balancers.map((lb): LoadBalancerStatus => {
    const f = facts.get(lb.name);
    const error = input.failures.get(lb.name)?.message;
    const lockPresent = f?.dirs[LOCK_DIR]?.present === true;
    return {
      name: lb.name,
      address: lb.address,
      ...(error ? { error } : {}),
      ...(f?.keepalived ? { keepalived: f.keepalived } : {}),
      holdsVip: f?.vips[vip] === true,
      drained: (f?.drained ?? []).map((a) => nameByAddress.get(a) ?? a),
      checks: input.checks.filter((c) => c.lb === lb.name),
      ipvs: input.ipvs.get(lb.name) ?? null,
      ...(usesHaproxy(inv) ? { haproxy: { running: f?.haproxy?.running === true, servers: input.haproxy?.get(lb.name) ?? null } } : {}),
      lock: lockPresent ? (parseLockOwner(f?.files[LOCK_OWNER_PATH]?.content ?? "") ?? "unknown holder") : null,
      drift: f ? driftOf(desiredByName.get(lb.name), f) : [],
      pending: f ? pendingOf(f) : [],
    };
  });
  const healthUrl = localHealthUrl(inv);
  const nodes = inv.data.harbor_nodes.map((n): NodeStatus => {
    const f = facts.get(n.name);
    const error = input.failures.get(n.name)?.message;
    const httpStatus = f?.http[healthUrl] ?? 0;
    return {
      name: n.name,
      address: n.address,
      ...(error ? { error } : {}),
      harborUp: httpStatus === 200,
      httpStatus,
      health: input.checks.filter((c) => c.node === n.name),
      drainedOn: loadBalancers.filter((lb) => lb.drained.includes(n.name)).map((lb) => lb.name),
      drift: f ? [...driftOf(desiredByName.get(n.name), f), ...liveDriftOf(inv, desiredByName.get(n.name), f)] : [],
      pending: f ? pendingOf(f) : [],
    };
  });
  const secrets = secretsOf(input);
  const cluster = {
    vip,
    vipHolders: loadBalancers.filter((l) => l.holdsVip).map((l) => l.name),
    lockedOn: loadBalancers.flatMap((l) => (l.lock === null ? [] : [{ host: l.name, owner: l.lock }])),
    secrets,
    ...settingsOf(inv, facts),
    ...(input.database ? { database: input.database } : {}),
  };
  const problems = listProblems(inv, loadBalancers, nodes, cluster);
  return { healthy: problems.length === 0, loadBalancers, nodes, cluster, problems };
}

function driftOf(d: DesiredHost | undefined, f: HostFacts): FileDriftItem[] {
  if (!d) return [];
  return d.files.flatMap((file) => {
    const reason = fileDrift(file, f.files[file.path]);
    return reason ? [{ path: file.path, reason }] : [];
  });
}

/** Changes written but not applied: the files match, yet what runs is older (a run stopped in between). */
function pendingOf(f: HostFacts): PendingChange[] {
  return [...pendingOn(f)].sort().map((h) => ({ change: h, what: PENDING_WHAT[h], since: pendingSince(f.pending[h] ?? 0) }));
}

function secretsOf(input: StatusInput): SecretConsistency[] {
  const reachable = input.inv.data.harbor_nodes.filter((n) => input.facts.has(n.name));
  const firstNode = input.desired.hosts.find((h) => h.host.role === "harbor-node");
  return secretFilePaths(input.desired).map(({ name, path }) => {
    const desiredFile = firstNode?.files.find((f) => f.path === path);
    const byNode = new Map(
      reachable.map((n) => {
        const fact = input.facts.get(n.name)?.files[path];
        return [n.name, fact?.present ? fact.sha256 : undefined] as const;
      }),
    );
    return checkSecretConsistency({ name, path, desiredSha256: desiredFile ? sha256Hex(desiredFile.content) : "", byNode });
  });
}

/** The files Harbor really uses, against the render (an old key prepare restored shows here). */
function liveDriftOf(inv: Inventory, d: DesiredHost | undefined, f: HostFacts): FileDriftItem[] {
  if (!d) return [];
  return isHarbor2Vm(inv) ? harbor2EnvDrift(inv, d, f) : liveFileDrift(inv, d, f);
}

function settingsOf(inv: Inventory, facts: ReadonlyMap<string, HostFacts>): { settings?: SettingsStatus } {
  if (isHarbor2Vm(inv) || desiredDbSettings(inv).length === 0) return {};
  const node = settingsNode(inv);
  const view = settingsDrift(inv, facts.get(node));
  return {
    settings: { node, state: view.state, drift: view.state === "known" ? view.drift.map((d) => ({ key: d.setting.cfgKey, change: d.change })) : [] },
  };
}

/** `status` as text: a compact table per role, the cluster, then the problems with what to do. Pure. */
import { describeLockOwner } from "../lock/owner.js";
import type { LoadBalancerStatus, NodeStatus, SecretConsistency, SettingsStatus, StatusReport } from "./types.js";

export function formatStatus(r: StatusReport): string {
  const out: string[] = [];
  out.push("Load balancers");
  out.push(...formatTable(["NAME", "ADDRESS", "KEEPALIVED", "VIP", "REAL SERVERS", "DRAINED", "DRIFT"], r.loadBalancers.map(lbRow)));
  for (const lb of r.loadBalancers.filter((l) => l.ipvs !== null)) {
    for (const svc of lb.ipvs ?? []) {
      out.push(
        `  ${lb.name} IPVS ${svc.protocol} ${svc.address} (${svc.scheduler}): ` +
          `${svc.realServers.map((s) => `${s.address} weight ${s.weight}`).join(", ") || "no real servers"}`,
      );
    }
  }
  for (const lb of r.loadBalancers.filter((l) => l.haproxy !== undefined)) out.push(`  ${lb.name} ${formatHaproxy(lb.haproxy)}`);
  out.push("", "Harbor nodes");
  out.push(...formatTable(["NAME", "ADDRESS", "HARBOR", "HEALTH FROM LBS", "DRAINED ON", "DRIFT"], r.nodes.map(nodeRow)));
  out.push("", "Cluster");
  const c = r.cluster;
  if (c.outsideLimit)
    out.push(
      `  --limit: ${[...c.outsideLimit.loadBalancers, ...c.outsideLimit.nodes].join(", ") || "no host"} not read; ` +
        "the registry database not checked",
    );
  const outsideLbs = c.outsideLimit?.loadBalancers ?? [];
  const unreadLbs = unknownOn(c.unreadLoadBalancers) + outsideLimit(outsideLbs);
  const allLbsUnread = c.unreadLoadBalancers.length === r.loadBalancers.length && outsideLbs.length === 0;
  const holders = c.vipHolders.length === 0 ? "held by no load balancer read" : `held by ${c.vipHolders.join(", ")}`;
  out.push(`  VIP ${c.vip}: ${allLbsUnread ? UNKNOWN_ALL : holders + unreadLbs}`);
  const lock =
    c.lockedOn.length === 0
      ? "free"
      : c.lockedOn.map((l) => `${l.host} — ${l.owner === "unknown holder" ? l.owner : describeLockOwner(l.owner)}`).join("; ");
  out.push(`  lock: ${allLbsUnread ? UNKNOWN_ALL : lock + unreadLbs}`);
  if (c.database)
    out.push(`  registry database: ${c.database.state === "ok" ? c.database.detail : `${c.database.state.toUpperCase()}: ${c.database.detail}`}`);
  if (c.settings) out.push(`  settings in Harbor's database: ${formatSettings(c.settings)}`);
  for (const s of c.secrets) out.push(`  ${s.name}: ${formatSecret(s, r.nodes.length + (c.outsideLimit?.nodes.length ?? 0))}`);
  out.push("");
  if (r.problems.length === 0) {
    out.push("Healthy: no problems found.");
  } else {
    out.push(`Problems (${r.problems.length}):`);
    for (const p of r.problems) out.push(`  ${p.subject}: ${p.message}`, `    → ${p.hint}`);
  }
  return out.join("\n") + "\n";
}

/** What status says of what it could not read: never a healthy word. */
const UNKNOWN = "unknown";
const UNKNOWN_ALL = `${UNKNOWN} (no host could be read)`;

function unknownOn(hosts: readonly string[]): string {
  return hosts.length === 0 ? "" : `; ${UNKNOWN} on ${hosts.join(", ")} (not read)`;
}

function outsideLimit(hosts: readonly string[]): string {
  return hosts.length === 0 ? "" : `; ${UNKNOWN} on ${hosts.join(", ")} (outside --limit)`;
}

function formatSecret(s: SecretConsistency, nodeCount: number): string {
  if (s.unreadNodes.length === nodeCount) return UNKNOWN_ALL;
  if (s.oddNodes.length > 0) return `DIFFERS on ${s.oddNodes.join(", ")}${unknownOn(s.unreadNodes)}`;
  return s.unreadNodes.length === 0
    ? "identical on every node (by checksum)"
    : `identical on the nodes read (by checksum)${unknownOn(s.unreadNodes)}`;
}

function lbRow(l: LoadBalancerStatus): string[] {
  if (l.error) return [l.name, l.address, "unreachable", UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN];
  const ka = l.keepalived?.running ? `running${l.keepalived.pid ? ` (${l.keepalived.pid})` : ""}` : "STOPPED";
  const ok = l.checks.filter((c) => c.ok).length;
  const servers = l.checks.length === 0 ? "-" : `${ok}/${l.checks.length} pass check.sh`;
  return [l.name, l.address, ka, l.holdsVip ? "held" : "-", servers, l.drained.join(",") || "-", countDrift(l.drift.length, l.pending.length)];
}

function nodeRow(n: NodeStatus): string[] {
  if (n.error) return [n.name, n.address, "unreachable", UNKNOWN, UNKNOWN, UNKNOWN];
  const ok = n.health.filter((c) => c.ok).length;
  const failing = n.health.filter((c) => !c.ok).map((c) => c.lb);
  const health =
    n.health.length === 0 ? "-" : failing.length === 0 ? `${ok}/${n.health.length} ok` : `${ok}/${n.health.length} ok (fails: ${failing.join(",")})`;
  return [
    n.name,
    n.address,
    n.harborUp ? "up" : `DOWN (${n.httpStatus || "no answer"})`,
    health,
    n.drainedOn.join(",") || "-",
    countDrift(n.drift.length, n.pending.length),
  ];
}

/** `HAProxy: harbor_443/harbor1 UP 2 sessions, …` */
function formatHaproxy(hx: LoadBalancerStatus["haproxy"]): string {
  if (!hx?.running) return "HAProxy: STOPPED";
  if (hx.servers === null) return "HAProxy: runs, runtime API silent";
  const servers = hx.servers.map((s) => `${s.backend}/${s.server} ${s.status} ${s.sessions} session${s.sessions === 1 ? "" : "s"}`);
  return `HAProxy: ${servers.join(", ") || "no servers"}`;
}

function formatSettings(s: SettingsStatus): string {
  if (s.state === "down") return `not known (Harbor does not answer on ${s.node})`;
  if (s.state === "unauthorized") return `not known (Harbor on ${s.node} rejects the admin password)`;
  return s.drift.length === 0 ? "as the inventory says" : `DIFFER: ${s.drift.map((d) => `${d.key} ${d.change}`).join("; ")}`;
}

/** Files that differ from the render, and changes written but not applied. */
function countDrift(n: number, pending: number): string {
  const parts = [...(n === 0 ? [] : [`${n} file${n === 1 ? "" : "s"}`]), ...(pending === 0 ? [] : [`${pending} pending`])];
  return parts.length === 0 ? "none" : parts.join(", ");
}

/** Left-aligned columns, two spaces apart, indented by two. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    "  " +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

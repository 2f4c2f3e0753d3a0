/** `status` as text: a compact table per role, the cluster, then the problems with what to do. Pure. */
import { describeLockOwner } from "../lock/owner.js";
import type { LoadBalancerStatus, NodeStatus, SettingsStatus, StatusReport } from "./types.js";

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
  const unreadLbs = c.unreadLoadBalancers ?? [];
  const noLb = unreadLbs.length === r.loadBalancers.length;
  // What could not be read is said to be unknown, never given a healthy word.
  const unknownOn = unreadLbs.length === 0 ? "" : `; unknown on ${unreadLbs.join(", ")} (not read)`;
  out.push(
    `  VIP ${c.vip}: ${
      noLb
        ? "unknown (no load balancer could be read)"
        : `${c.vipHolders.length === 0 ? "held by no load balancer" : `held by ${c.vipHolders.join(", ")}`}${unknownOn}`
    }`,
  );
  out.push(
    "  lock: " +
      (noLb
        ? "unknown (no load balancer could be read)"
        : c.lockedOn.length === 0
          ? `free${unknownOn}`
          : c.lockedOn.map((l) => `${l.host} — ${l.owner === "unknown holder" ? l.owner : describeLockOwner(l.owner)}`).join("; ") + unknownOn),
  );
  if (c.database)
    out.push(`  registry database: ${c.database.state === "ok" ? c.database.detail : `${c.database.state.toUpperCase()}: ${c.database.detail}`}`);
  if (c.settings) out.push(`  settings in Harbor's database: ${formatSettings(c.settings)}`);
  for (const s of c.secrets) out.push(`  ${s.name}: ${formatSecret(s, r.nodes.length)}`);
  out.push("");
  if (r.problems.length === 0) {
    out.push("Healthy: no problems found.");
  } else {
    out.push(`Problems (${r.problems.length}):`);
    for (const p of r.problems) out.push(`  ${p.subject}: ${p.message}`, `    → ${p.hint}`);
  }
  return out.join("\n") + "\n";
}

function formatSecret(s: StatusReport["cluster"]["secrets"][number], nodes: number): string {
  const unread = s.unread ?? [];
  if (unread.length === nodes) return "unknown (no Harbor node could be read)";
  const unknown = unread.length === 0 ? "" : `; unknown on ${unread.join(", ")} (not read)`;
  return `${s.consistent ? `identical on every node${unread.length === 0 ? "" : " read"} (by checksum)` : `DIFFERS on ${s.oddNodes.join(", ")}`}${unknown}`;
}

function lbRow(l: LoadBalancerStatus): string[] {
  if (l.error) return [l.name, l.address, "unreachable", "?", "?", "?", "?"];
  const ka = l.keepalived?.running ? `running${l.keepalived.pid ? ` (${l.keepalived.pid})` : ""}` : "STOPPED";
  const ok = l.checks.filter((c) => c.ok).length;
  const servers = l.checks.length === 0 ? "-" : `${ok}/${l.checks.length} pass check.sh`;
  return [l.name, l.address, ka, l.holdsVip ? "held" : "-", servers, l.drained.join(",") || "-", countDrift(l.drift.length, l.pending.length)];
}

function nodeRow(n: NodeStatus): string[] {
  if (n.error) return [n.name, n.address, "unreachable", "?", "?", "?"];
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

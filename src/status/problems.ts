/** Everything unhealthy, drifting or inconsistent in a status report, each with what to do. Pure. */
import type { Inventory } from "../inventory/model.js";
import { describeLockOwner } from "../lock/owner.js";
import { takesTraffic } from "../facts/haproxy-stat.js";
import type { ClusterStatus, LoadBalancerStatus, NodeStatus, PendingChange, StatusProblem } from "./types.js";

export function listProblems(
  inv: Inventory,
  lbs: readonly LoadBalancerStatus[],
  nodes: readonly NodeStatus[],
  cluster: ClusterStatus,
): StatusProblem[] {
  const p: StatusProblem[] = [];
  const inventory = inv.path;
  for (const lb of lbs) {
    if (lb.error) {
      p.push({ subject: lb.name, message: `cannot be read: ${lb.error}`, hint: "Check that the host is up and reachable over SSH." });
      continue;
    }
    if (!lb.keepalived?.running)
      p.push({
        subject: lb.name,
        message: "keepalived is not running",
        hint: `Start it (service keepalived start), or run harbor-ha provision ${inventory}.`,
      });
    for (const c of lb.checks.filter((x) => !x.ok)) {
      p.push({
        subject: c.node,
        message: `fails check.sh from ${lb.name}: ${c.detail || "check failed"}`,
        hint: "The load balancer keeps it out of service until it passes: is Harbor up on that node?",
      });
    }
    if (lb.haproxy) pushHaproxy(p, lb.name, lb.haproxy, inventory);
    if (lb.drained.length > 0) {
      p.push({
        subject: lb.name,
        message: `holds ${lb.drained.join(", ")} drained: out of service`,
        hint:
          "A rolling run drains nodes; if none is under way (lock free), harbor-ha reconfigure or provision puts them back " +
          "once they pass their health gate.",
      });
    }
    pushDrift(p, lb.name, lb.drift, inventory);
    pushPending(p, lb.name, lb.pending, inventory);
  }
  for (const n of nodes) {
    if (n.error) {
      p.push({ subject: n.name, message: `cannot be read: ${n.error}`, hint: "Check that the host is up and reachable over SSH." });
      continue;
    }
    if (!n.harborUp) {
      const got = n.httpStatus === 0 ? "nothing answered" : `HTTP ${n.httpStatus}`;
      p.push({
        subject: n.name,
        message: `Harbor is not up (its local health URL: ${got})`,
        hint: "Look at Harbor's containers on the node (docker-compose ps in Harbor's folder).",
      });
    }
    if (n.upgrade)
      p.push({
        subject: "cluster",
        message: `upgrade in progress: ${n.upgrade} (recorded on ${n.name})`,
        hint:
          "An upgrade stopped before it ended (Harbor stays read-only until then): run harbor-ha upgrade again with the new " +
          "release's inventory; it continues with the nodes not yet upgraded, or rolls back when the first node failed.",
      });
    pushDrift(p, n.name, n.drift, inventory);
    pushPending(p, n.name, n.pending, inventory);
  }
  // With a load balancer unread, no holder among the others may be the unread one's: unknown, reported as unreachable.
  // Load balancers outside --limit were not read either: no holder among those read proves nothing.
  const unjudged = cluster.unreadLoadBalancers.length + (cluster.outsideLimit?.loadBalancers.length ?? 0);
  if (cluster.vipHolders.length > 1 || (cluster.vipHolders.length === 0 && unjudged === 0)) {
    const message =
      cluster.vipHolders.length === 0
        ? `no load balancer holds the VIP ${cluster.vip}`
        : `${cluster.vipHolders.length} load balancers hold the VIP ${cluster.vip} at once (${cluster.vipHolders.join(", ")}): VRRP split brain`;
    p.push({
      subject: "cluster",
      message,
      hint: "Check keepalived on the load balancers (is VRRP traffic between them allowed? the same virtual_router_id and auth_pass?).",
    });
  }
  for (const s of cluster.secrets.filter((x) => x.oddNodes.length > 0)) {
    p.push({
      subject: "cluster",
      message: `the ${s.name} (${s.path}) differs on ${s.oddNodes.join(", ")} from the other nodes (compared by checksum)`,
      hint:
        `Every node must share it, or tokens and encrypted passwords break between nodes: ` +
        `run harbor-ha provision ${inventory} to write the cluster's copy again.`,
    });
  }
  const db = cluster.database;
  if (db && db.state !== "ok") {
    const hint =
      db.state === "absent"
        ? `Load it with harbor-ha provision ${inventory}.`
        : db.state === "refused"
          ? "Harbor cannot run on this database as it is; the message says why and what to do. provision refuses it too, and never drops it unasked."
          : "Check that the database is up and reachable from here (or through database.tunnel_via), and the credentials in the inventory.";
    p.push({ subject: "database", message: db.state === "unreachable" ? `cannot be checked: ${db.detail}` : db.detail, hint });
  }
  const settings = cluster.settings;
  if (settings?.state === "unauthorized") {
    p.push({
      subject: settings.node,
      message: "Harbor rejects the admin password (harbor.admin_password): its database-held settings cannot be compared",
      hint: "Put Harbor's current admin password in the inventory (Harbor took harbor.cfg's only at its first start).",
    });
  } else if (settings && settings.drift.length > 0) {
    p.push({
      subject: "cluster",
      message: `Harbor's database holds other values than the inventory for ${settings.drift.map((d) => `${d.key} (${d.change})`).join(", ")}`,
      hint:
        `Harbor keeps these in its database, where harbor.cfg no longer reaches: ` +
        `apply them through Harbor's API with harbor-ha reconfigure ${inventory} (no node leaves service ` +
        `for it), or provision.`,
    });
  }
  const owners = new Set(cluster.lockedOn.map((l) => (l.owner === "unknown holder" ? l.owner : describeLockOwner(l.owner))));
  if (cluster.lockedOn.length > 0 && cluster.lockedOn.length < lbs.filter((l) => !l.error).length) {
    p.push({
      subject: "cluster",
      message: `the cluster lock is held on ${cluster.lockedOn.map((l) => l.host).join(", ")} only (${[...owners].join("; ")})`,
      hint: "A run is taking the lock right now, or a dead run left it half-taken: if no run is under way, pass --force-unlock to the next one.",
    });
  }
  return p;
}

function pushPending(p: StatusProblem[], host: string, pending: readonly PendingChange[], inventory: string): void {
  for (const c of pending) {
    p.push({
      subject: host,
      message: `a change was written but never applied: ${c.what} (pending since ${c.since}; a run stopped in between)`,
      hint: `Run harbor-ha reconfigure ${inventory} (or provision) to finish it: it applies the change even where the files on disk already match.`,
    });
  }
}

/** HAProxy down, its runtime API silent, or a node it does not send new connections to (down, drained, in maintenance). */
function pushHaproxy(p: StatusProblem[], lb: string, hx: NonNullable<LoadBalancerStatus["haproxy"]>, inventory: string): void {
  if (!hx.running) {
    p.push({
      subject: lb,
      message: "HAProxy is not running (keepalived gives the VIP up here while it is down)",
      hint: `Start it (service haproxy start), or run harbor-ha provision ${inventory}.`,
    });
    return;
  }
  if (hx.servers === null) {
    p.push({
      subject: lb,
      message: "HAProxy's runtime API does not answer: its backends' states are unknown",
      hint: "Check /run/haproxy/admin.sock on that host (is haproxy.cfg harbor-ha's? is socat installed?).",
    });
    return;
  }
  const out = hx.servers.filter((s) => !takesTraffic(s));
  if (out.length === 0) return;
  p.push({
    subject: lb,
    message:
      "HAProxy sends no new connections to " +
      `${out.map((s) => `${s.backend}/${s.server} (${s.status}${s.checkStatus ? `, last check ${s.checkStatus}` : ""})`).join(", ")}`,
    hint:
      "DOWN: the health check fails (is Harbor up on that node? see check.sh's line above). " +
      "DRAIN/MAINT: a rolling run drained it; if none is under way (lock free), " +
      "resume it with harbor-ha reconfigure, which puts it back.",
  });
}

function pushDrift(p: StatusProblem[], host: string, drift: ReadonlyArray<{ path: string; reason: string }>, inventory: string): void {
  if (drift.length === 0) return;
  p.push({
    subject: host,
    message:
      `${drift.length} file${drift.length === 1 ? "" : "s"} differ${drift.length === 1 ? "s" : ""} from the render: ` +
      `${drift.map((d) => `${d.path} (${d.reason})`).join(", ")}`,
    hint: `See the diff with harbor-ha provision ${inventory} --dry-run; run it without --dry-run to put the render back.`,
  });
}

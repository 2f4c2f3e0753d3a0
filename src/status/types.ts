/** What `harbor-ha status` reports: plain data, printed as tables or --json. */
import type { LockOwner } from "../lock/owner.js";
import type { HaproxyServerStat } from "../facts/haproxy-stat.js";

export interface FileDriftItem {
  path: string;
  /** Why it differs from the render: "absent", "content differs", "mode 644 → 600" … */
  reason: string;
}

/** A change a run wrote but did not see take effect (steps/pending.ts). */
export interface PendingChange {
  /** The handler: "reload-keepalived", "reinstall-harbor", … */
  change: string;
  /** What is not in effect yet, for an operator. */
  what: string;
  /** ISO time the marker was written. */
  since: string;
}

export interface NodeHealthFromLb {
  lb: string;
  node: string;
  ok: boolean;
  detail: string;
}

export type { IpvsRealServer, IpvsService } from "../facts/ipvs.js";
import type { IpvsService } from "../facts/ipvs.js";

export interface LoadBalancerStatus {
  name: string;
  address: string;
  /** Undefined when the host answered; else why it could not be read. */
  error?: string;
  keepalived?: { running: boolean; pid?: number };
  holdsVip: boolean;
  /** Harbor nodes (by name) with a drain marker on this load balancer. */
  drained: string[];
  /** check.sh from this load balancer for every node. */
  checks: NodeHealthFromLb[];
  /** IPVS table where `ipvsadm -Ln` works here; null where IPVS is not available. */
  ipvs: IpvsService[] | null;
  /** load_balancing: haproxy only: whether HAProxy runs, and each backend server's state and sessions (null: the runtime API did not answer). */
  haproxy?: { running: boolean; servers: HaproxyServerStat[] | null };
  /** The cluster lock's owner on this host; null when the lock is free. */
  lock: LockOwner | "unknown holder" | null;
  drift: FileDriftItem[];
  pending: PendingChange[];
}

export interface NodeStatus {
  name: string;
  address: string;
  error?: string;
  /** Its local health URL answered 200. */
  harborUp: boolean;
  /** HTTP status of the local health URL (0: nothing answered). */
  httpStatus: number;
  health: NodeHealthFromLb[];
  /** Load balancers on which this node is drained. */
  drainedOn: string[];
  drift: FileDriftItem[];
  pending: PendingChange[];
  /** What an upgrade under way left on the node (harbor/v2/read-only.ts), when one is. */
  upgrade?: string;
}

/** A file that must be identical on every Harbor node (the secretkey, the token signing key). */
export interface SecretConsistency {
  /** "secretkey" or "token signing key": never the content. */
  name: string;
  path: string;
  /** Identical on every node: false too when a node could not be read (unknown, never assumed). */
  consistent: boolean;
  /** Nodes whose copy differs from the others (or is absent), or whose Harbor uses another copy than harbor-ha's. */
  oddNodes: string[];
  /** Nodes that could not be read: their copy is unknown. */
  unreadNodes: string[];
}

export interface StatusProblem {
  /** The host, or "cluster". */
  subject: string;
  message: string;
  hint: string;
}

/** The settings Harbor keeps in its database, against the inventory (asked of one node). */
export interface SettingsStatus {
  node: string;
  /** known: Harbor answered; down: it did not (nothing judged); unauthorized: the admin password was rejected. */
  state: "known" | "down" | "unauthorized";
  /** Settings the inventory sets that Harbor holds otherwise (passwords: by the digest of what harbor-ha applied). */
  drift: Array<{ key: string; change: string }>;
}

/** The registry database against registry.sql (read-only, as provision's preflight sees it). */
export interface DatabaseStatus {
  /**
   * ok: Harbor's schema is complete; absent: not loaded yet; refused: provision would refuse it
   * (half-loaded, other release); unreachable: not checked.
   */
  state: "ok" | "absent" | "refused" | "unreachable";
  detail: string;
}

export interface ClusterStatus {
  vip: string;
  vipHolders: string[];
  /** Load balancers holding the cluster lock, with its owner. */
  lockedOn: Array<{ host: string; owner: LockOwner | "unknown holder" }>;
  /** Load balancers that could not be read: whether they hold the VIP or the lock is unknown. */
  unreadLoadBalancers: string[];
  secrets: SecretConsistency[];
  /** Absent when the inventory sets none of Harbor's database-held settings. */
  settings?: SettingsStatus;
  database?: DatabaseStatus;
  /** --limit: the hosts not read. Whatever needs them (the one VIP holder, the database) is not judged. */
  outsideLimit?: { loadBalancers: string[]; nodes: string[] };
}

export interface StatusReport {
  healthy: boolean;
  loadBalancers: LoadBalancerStatus[];
  nodes: NodeStatus[];
  cluster: ClusterStatus;
  problems: StatusProblem[];
}

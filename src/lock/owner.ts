/**
 * Who holds the cluster lock: the `owner` file inside the lock directory, as
 * `key=value` lines. Pure: formatted when the lock is taken, parsed when a run is
 * refused (to name the holder) and by `status`.
 */
import { hostname, userInfo } from "node:os";

export interface LockOwner {
  /** USER@hostname of the operator's machine. */
  operator: string;
  /** The harbor-ha command that took the lock ("provision", "reconfigure"). */
  command: string;
  /** The harbor-ha process on the operator's machine. */
  pid: number;
  /** ISO 8601 time the lock was taken. */
  since: string;
}

/** The operator running this process: USER@local hostname (the audit log and the lock name them). */
export function currentOperator(): string {
  let user = process.env.USER ?? process.env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  return `${user}@${hostname()}`;
}

/** The owner of a lock taken now by this process. */
export function lockOwnerNow(command: string, now: Date = new Date()): LockOwner {
  return { operator: currentOperator(), command, pid: process.pid, since: now.toISOString() };
}

/** One field per line; values are kept on one line so the file parses back exactly. */
export function formatLockOwner(owner: LockOwner): string {
  const one = (v: string) => v.replace(/[\r\n]+/g, " ");
  return [`operator=${one(owner.operator)}`, `command=${one(owner.command)}`, `pid=${owner.pid}`, `since=${one(owner.since)}`].join("\n");
}

/**
 * The owner file's text → LockOwner; undefined when it is empty or unreadable (a lock
 * whose owner file was never written: a run killed between mkdir and the write, or a
 * lock made by hand). Unknown keys are ignored.
 */
export function parseLockOwner(text: string): LockOwner | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const operator = fields.get("operator");
  if (!operator) return undefined;
  const pid = Number(fields.get("pid"));
  return { operator, command: fields.get("command") ?? "unknown", pid: Number.isInteger(pid) ? pid : 0, since: fields.get("since") ?? "" };
}

/** "alice@laptop (provision, pid 4242) since 2024-05-01T10:00:00.000Z (12 min ago)" — for refusals and status. */
export function describeLockOwner(owner: LockOwner | undefined, now: Date = new Date()): string {
  if (!owner) return "an unknown holder (the lock has no readable owner file)";
  const age = ageOf(owner.since, now);
  return `${owner.operator} (${owner.command}, pid ${owner.pid}) since ${owner.since || "an unknown time"}${age ? ` (${age} ago)` : ""}`;
}

function ageOf(since: string, now: Date): string | undefined {
  const t = Date.parse(since);
  if (Number.isNaN(t)) return undefined;
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

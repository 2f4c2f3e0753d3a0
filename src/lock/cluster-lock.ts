/**
 * The cluster lock: taken on every load balancer (they are the hosts every operator's
 * run touches), in inventory order, so that two operators cannot change the cluster
 * at once. A refusal names who holds it and since when.
 */
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import { HarborHaError } from "../errors.js";
import { acquireLockCommand, breakLockCommand, LOCK_DIR, LOCK_HELD_EXIT, releaseLockCommand } from "./commands.js";
import { describeLockOwner, formatLockOwner, lockOwnerNow, parseLockOwner } from "./owner.js";
import type { LockOwner } from "./owner.js";

export interface ClusterLock {
  /** Removes the lock from every load balancer where it was taken (and is still ours). Throws a HarborHaError naming the hosts it could not clean. */
  release(): Promise<void>;
  /** Who we are, as written in the owner file. */
  readonly owner: LockOwner;
  /** Locks broken by `force: true`: the host and the previous holder (undefined when its owner file was unreadable). */
  readonly broken: ReadonlyArray<{ host: string; previous: LockOwner | undefined }>;
}

/** Another run holds the lock. Exit 1. */
export class ClusterLockedError extends HarborHaError {
  constructor(
    readonly host: string,
    readonly holder: LockOwner | undefined,
  ) {
    super(`the cluster is locked: ${host} holds the lock (${LOCK_DIR}) of ${describeLockOwner(holder)}`, {
      hint:
        "Another harbor-ha run is changing this cluster: wait until it finishes and run again. " +
        "If that run is dead" +
        `${holder ? ` (no harbor-ha process ${holder.pid} on ${holder.operator.split("@").pop() ?? "its machine"})` : ""}, ` +
        "run again with --force-unlock.",
    });
  }
}

export async function acquireClusterLock(pool: SshPool, inv: Inventory, opts: { command: string; force: boolean }): Promise<ClusterLock> {
  const owner = lockOwnerNow(opts.command);
  const ownerText = formatLockOwner(owner);
  const taken: string[] = [];
  const broken: Array<{ host: string; previous: LockOwner | undefined }> = [];
  const release = () => releaseOn(pool, taken, ownerText);
  try {
    for (const lb of inv.data.load_balancers) {
      const r = await pool.withSession(lb.name, async (s) => {
        const first = await s.runChecked(acquireLockCommand(ownerText), {
          sudo: true,
          step: "take the cluster lock",
          okExitCodes: [0, LOCK_HELD_EXIT],
        });
        if (first.code === 0 || !opts.force) return first;
        const old = await s.runChecked(breakLockCommand(), { sudo: true, step: "break the cluster lock (--force-unlock)" });
        broken.push({ host: lb.name, previous: parseLockOwner(old.stdout) });
        return s.runChecked(acquireLockCommand(ownerText), { sudo: true, step: "take the cluster lock", okExitCodes: [0, LOCK_HELD_EXIT] });
      });
      if (r.code !== 0) throw new ClusterLockedError(lb.name, parseLockOwner(r.stdout));
      taken.push(lb.name);
    }
  } catch (err) {
    await release().catch(() => undefined); // the refusal matters more than a failed cleanup
    throw err;
  }
  return { owner, broken, release };
}

async function releaseOn(pool: SshPool, hosts: readonly string[], ownerText: string): Promise<void> {
  // Straight to the sessions, not through the pool's scheduler: after Ctrl-C the scheduler refuses new work, and the lock must still go.
  const settled = await Promise.allSettled(
    hosts.map(async (h) => (await pool.session(h)).runChecked(releaseLockCommand(ownerText), { sudo: true, step: "release the cluster lock" })),
  );
  const failed = hosts.filter((_, i) => settled[i]?.status === "rejected");
  if (failed.length === 0) return;
  throw new HarborHaError(`could not release the cluster lock on ${failed.join(", ")}`, {
    hint: `Remove it by hand (rm -rf ${LOCK_DIR} as root on ${failed.join(", ")}) or pass --force-unlock to the next run.`,
  });
}

/**
 * Releases the lock at the end of a run; a failure is passed to `warn` (with what to do),
 * never thrown: the run's own outcome, or the error that stopped it, stays what the operator
 * sees, and the next run's refusal names this run as the holder.
 */
export async function releaseReporting(lock: ClusterLock, warn: (message: string) => void): Promise<void> {
  await lock.release().catch((e: unknown) => {
    const hint = e instanceof HarborHaError && e.hint ? ` — ${e.hint}` : "";
    warn(`${(e as Error).message}${hint}`);
  });
}

/** "broke the cluster lock on lb1 held by alice@laptop (…)" — one line per broken lock, for the run's report. */
export function describeBrokenLocks(lock: ClusterLock): string[] {
  return lock.broken.map((b) => `--force-unlock: broke the cluster lock on ${b.host} held by ${describeLockOwner(b.previous)}`);
}

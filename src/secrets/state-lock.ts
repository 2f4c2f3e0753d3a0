/**
 * A local lock on a cluster's state folder, so that two first-ever runs started at once do
 * not both generate a token key (the one deployed by one run would then differ from the one
 * saved by the other). Taken with an atomic mkdir of `<dir>/.lock`, which holds the pid of
 * the holder; a run that finds it held waits, then reads what the holder wrote. A lock whose
 * process is gone (a run that was killed) is taken over.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HarborHaError } from "../errors.js";
import { realClock } from "../time/poll.js";
import type { Clock } from "../time/poll.js";

export const STATE_LOCK_DIR = ".lock";
/** Generating a 4096-bit key and its certificate takes seconds; a minute leaves room for a slow machine. */
const WAIT_MS = 120_000;
const POLL_MS = 50;
/** A lock directory with no pid file yet: the holder is between mkdir and writing it, unless it died there. */
const PIDLESS_STALE_MS = 10_000;

export interface StateLockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs?: number;
  /** What the wait, the deadline and a pid-less lock's age are measured by (a fake one in the tests). */
  clock?: Clock;
}

/** Runs `fn` holding the state folder's lock; waits for another holder first. */
export async function withStateLock<T>(dir: string, fn: () => Promise<T>, opts: StateLockOptions = {}): Promise<T> {
  const clock = opts.clock ?? realClock;
  const lock = join(dir, STATE_LOCK_DIR);
  const token = `${process.pid} ${randomBytes(8).toString("hex")}`;
  const deadline = clock.now() + (opts.waitMs ?? WAIT_MS);
  for (;;) {
    if (await tryTake(lock, token)) break;
    if (await takeOverIfStale(lock, clock)) continue;
    if (clock.now() > deadline) {
      const holder = await readHolder(lock);
      throw new HarborHaError(
        `the cluster state folder ${dir} is locked by another harbor-ha run (pid ${holder?.pid ?? "unknown"}) that has not finished generating it`,
        {
          hint: `Wait for that run to finish; if no harbor-ha is running, remove ${lock} and run the command again.`,
        },
      );
    }
    await clock.sleep(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    // Released only if still ours: a holder taken over as stale must not remove its successor's lock.
    if ((await readHolder(lock))?.token === token) await rm(lock, { recursive: true, force: true });
  }
}

async function tryTake(lock: string, token: string): Promise<boolean> {
  try {
    await mkdir(lock, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  await writeFile(join(lock, "pid"), `${token}\n`, { mode: 0o600 });
  return true;
}

/** Moves a dead holder's lock aside (atomic rename, so two runs cannot both take it over); true when it did. */
async function takeOverIfStale(lock: string, clock: Clock): Promise<boolean> {
  const holder = await readHolder(lock);
  if (holder === undefined) {
    const age = await ageMs(lock, clock);
    if (age === undefined || age < PIDLESS_STALE_MS) return age === undefined;
  } else if (isAlive(holder.pid)) {
    return false;
  }
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lock, aside);
  } catch {
    return true; // gone already: another run took it over or its holder released it; try again
  }
  // Another run may have taken the stale lock over between our read and the rename: if what
  // was moved is not the lock judged stale, put it back for its live holder.
  const moved = await readHolder(aside);
  if (moved?.token !== holder?.token) {
    await rename(aside, lock).catch(() => undefined);
    return false;
  }
  await rm(aside, { recursive: true, force: true });
  return true;
}

async function readHolder(lock: string): Promise<{ pid: number; token: string } | undefined> {
  try {
    const token = (await readFile(join(lock, "pid"), "utf8")).trim();
    const pid = Number.parseInt(token.split(" ")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? { pid, token } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function ageMs(path: string, clock: Clock): Promise<number | undefined> {
  try {
    return clock.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

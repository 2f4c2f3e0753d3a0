/**
 * The one poller: ask, and ask again with a growing interval until the answer comes or the
 * deadline passes. Driven by a clock so that tests run it in no time (a fake clock).
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface PollOptions {
  timeoutMs: number;
  firstIntervalMs?: number;
  maxIntervalMs?: number;
}

/** Calls probe until it returns a value (not undefined) or the deadline passes (then undefined). */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, opts: PollOptions, clock: Clock = realClock): Promise<T | undefined> {
  const deadline = clock.now() + opts.timeoutMs;
  let interval = opts.firstIntervalMs ?? 200;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (clock.now() + interval > deadline) return undefined;
    await clock.sleep(interval);
    interval = Math.min(interval * 2, opts.maxIntervalMs ?? 2000);
  }
}

/** The other way round: probe says why not yet (or undefined when fine); the last reason when the deadline passed. */
export async function pollUntilFine(
  probe: () => Promise<string | undefined>,
  opts: PollOptions,
  clock: Clock = realClock,
): Promise<string | undefined> {
  let last: string | undefined;
  const fine = await pollUntil(
    async () => {
      last = await probe();
      return last === undefined ? true : undefined;
    },
    opts,
    clock,
  );
  return fine ? undefined : last;
}

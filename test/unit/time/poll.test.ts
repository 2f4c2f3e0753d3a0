/** The one poller, on a fake clock: intervals double up to the maximum, the deadline is kept, the last reason is told. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pollUntil, pollUntilFine } from "../../../src/time/poll.js";
import type { Clock } from "../../../src/time/poll.js";

function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) };
}

test("pollUntil: asks again with a doubling interval up to the maximum, and returns the first answer", async () => {
  const clock = fakeClock();
  let n = 0;
  const v = await pollUntil(async () => (++n === 5 ? "ready" : undefined), { timeoutMs: 10_000, firstIntervalMs: 100, maxIntervalMs: 400 }, clock);
  assert.equal(v, "ready");
  assert.deepEqual(clock.sleeps, [100, 200, 400, 400]);
});

test("pollUntil: stops before a sleep would pass the deadline", async () => {
  const clock = fakeClock();
  assert.equal(await pollUntil(async () => undefined, { timeoutMs: 1000, firstIntervalMs: 300, maxIntervalMs: 300 }, clock), undefined);
  assert.deepEqual(clock.sleeps, [300, 300, 300]);
});

test("pollUntilFine: undefined once fine, else the last reason given", async () => {
  const clock = fakeClock();
  let n = 0;
  assert.equal(await pollUntilFine(async () => (++n < 3 ? `not yet ${n}` : undefined), { timeoutMs: 5000 }, clock), undefined);
  n = 0;
  assert.equal(await pollUntilFine(async () => `still failing ${++n}`, { timeoutMs: 500, firstIntervalMs: 200 }, clock), "still failing 2");
});

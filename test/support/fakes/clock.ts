/** A clock for the rolling code that never waits: sleeps are recorded and move time on. */
import type { Clock } from "../../../src/roll/node-roll.js";

export class FakeClock implements Clock {
  #now: number;
  readonly sleeps: number[] = [];

  /** `start`: the time it reads first (a test on real files' mtimes starts it at theirs). */
  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.#now = start;
  }

  /** How long it has been made to wait in all. */
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += ms;
    await new Promise((r) => setImmediate(r));
  }
}

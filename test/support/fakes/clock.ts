/** A clock for the rolling code that never waits: sleeps are recorded and move time on. */
import type { Clock } from "../../../src/roll/node-roll.js";

export class FakeClock implements Clock {
  #now = Date.parse("2026-01-01T00:00:00Z");
  readonly sleeps: number[] = [];

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += ms;
    await new Promise((r) => setImmediate(r));
  }
}

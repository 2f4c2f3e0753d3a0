/**
 * The state folder's lock, driven by a fake clock: it waits for a live holder and gives up at
 * its deadline naming it, takes the lock once the holder lets go, and takes over a lock whose
 * holder died (at once) or never wrote its pid (once that is 10 s old). No real waiting.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { STATE_LOCK_DIR, withStateLock } from "../../../src/secrets/state-lock.js";
import { FakeClock } from "../../support/fakes/clock.js";

/** A pid no process has: above Linux's largest pid_max. */
const DEAD_PID = 2_147_483_000;

/** A clock that runs `then` when it is made to sleep for the n-th time. */
class ClockWithEvent extends FakeClock {
  constructor(
    start: number,
    private readonly n: number,
    private readonly then: () => void,
  ) {
    super(start);
  }
  override async sleep(ms: number): Promise<void> {
    if (this.sleeps.length + 1 === this.n) this.then();
    await super.sleep(ms);
  }
}

describe("state folder lock", () => {
  let dir = "";
  let lock = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hha-state-lock-"));
    lock = join(dir, STATE_LOCK_DIR);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const holdAs = (pid: number) => {
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), `${pid} 0123456789abcdef\n`);
  };

  it("waits for a live holder, then gives up at its deadline naming the holder's pid; runs nothing", async () => {
    holdAs(process.pid);
    const clock = new FakeClock(Date.now());
    let ran = false;
    await assert.rejects(
      withStateLock(
        dir,
        async () => {
          ran = true;
        },
        { waitMs: 2_000, clock },
      ),
      (e: unknown) => {
        assert.ok(e instanceof HarborHaError);
        assert.match(e.message, new RegExp(`${dir} is locked by another harbor-ha run \\(pid ${process.pid}\\)`));
        assert.match(e.hint ?? "", new RegExp(`remove ${lock}`));
        return true;
      },
    );
    assert.equal(ran, false);
    assert.ok(clock.slept >= 2_000 && clock.slept <= 2_050, `waited ${clock.slept} ms by the clock`);
    assert.ok(clock.sleeps.every((ms) => ms === 50));
    assert.equal(readFileSync(join(lock, "pid"), "utf8"), `${process.pid} 0123456789abcdef\n`, "the holder's lock is left alone");
  });

  it("takes the lock as soon as the holder lets it go, and releases it after", async () => {
    holdAs(process.pid);
    const clock = new ClockWithEvent(Date.now(), 3, () => rmSync(lock, { recursive: true }));
    let heldDuring = "";
    const result = await withStateLock(dir, async () => ((heldDuring = readFileSync(join(lock, "pid"), "utf8")), "done"), { waitMs: 60_000, clock });
    assert.equal(result, "done");
    assert.match(heldDuring, new RegExp(`^${process.pid} [0-9a-f]{16}\\n$`));
    assert.notEqual(heldDuring, `${process.pid} 0123456789abcdef\n`);
    assert.deepEqual(clock.sleeps, [50, 50, 50]);
    assert.equal(existsSync(lock), false);
  });

  it("takes over at once a lock whose holder is gone", async () => {
    holdAs(DEAD_PID);
    const clock = new FakeClock(Date.now());
    assert.equal(await withStateLock(dir, async () => 7, { waitMs: 60_000, clock }), 7);
    assert.deepEqual(clock.sleeps, []);
  });

  it("takes over a lock without a pid once it is 10 s old by the clock (a holder that died between mkdir and writing it)", async () => {
    mkdirSync(lock);
    const clock = new FakeClock(statSync(lock).mtimeMs);
    assert.equal(await withStateLock(dir, async () => "mine", { waitMs: 60_000, clock }), "mine");
    assert.ok(clock.slept >= 10_000 && clock.slept <= 10_050, `taken over after ${clock.slept} ms by the clock`);
  });
});

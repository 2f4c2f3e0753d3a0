/**
 * Trust on first use appends to known_hosts under a lock file; driven by a fake clock: a held
 * lock is waited for and given up at its 10 s deadline (known_hosts untouched), a lock let go
 * during the wait is taken, and one older than 30 s by the clock (a crashed run's) is taken
 * over at once. No real waiting.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { verifyHostKey } from "../../../src/remote/host-keys.js";
import type { HostKeyCheck } from "../../../src/remote/host-keys.js";
import { FakeClock } from "../../support/fakes/clock.js";

/** An ed25519 public key blob as SSH sends it: string "ssh-ed25519", string key (any 32 bytes do here). */
function ed25519Blob(fill: number): Buffer {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from("ssh-ed25519")), str(Buffer.alloc(32, fill))]);
}

describe("known_hosts lock, by the clock", () => {
  let dir = "";
  let knownHosts = "";
  let lockFile = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hha-hk-lock-"));
    knownHosts = join(dir, "known_hosts");
    lockFile = `${knownHosts}.harbor-ha.lock`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const check = (clock: FakeClock): HostKeyCheck => ({
    hostName: "lb1",
    address: "10.0.0.11",
    port: 22,
    knownHostsPath: knownHosts,
    acceptNewHostKeys: true,
    lockClock: clock,
  });

  it("waits for a held lock and gives up at its 10 s deadline; known_hosts untouched", async () => {
    writeFileSync(lockFile, "");
    const clock = new FakeClock(Date.now());
    await assert.rejects(verifyHostKey(check(clock), ed25519Blob(1)), (e: unknown) => {
      assert.ok(e instanceof HarborHaError);
      assert.match(e.message, new RegExp(`${lockFile} is held by another process`));
      return true;
    });
    assert.ok(clock.slept >= 10_000 && clock.slept <= 10_050, `gave up after ${clock.slept} ms by the clock`);
    assert.equal(existsSync(knownHosts), false);
    assert.equal(existsSync(lockFile), true, "another's lock is left alone");
  });

  it("takes the lock once it is let go during the wait, appends the key and removes the lock", async () => {
    writeFileSync(lockFile, "");
    const clock = new (class extends FakeClock {
      override async sleep(ms: number): Promise<void> {
        if (this.sleeps.length === 3) rmSync(lockFile);
        await super.sleep(ms);
      }
    })(Date.now());
    const accepted = await verifyHostKey(check(clock), ed25519Blob(2));
    assert.equal(accepted?.keyType, "ssh-ed25519");
    assert.deepEqual(clock.sleeps, [50, 50, 50, 50]);
    assert.match(readFileSync(knownHosts, "utf8"), /^10\.0\.0\.11 ssh-ed25519 \S+\n$/);
    assert.equal(existsSync(lockFile), false);
  });

  it("takes over at once a lock older than 30 s by the clock (a crashed run's)", async () => {
    writeFileSync(lockFile, "");
    const clock = new FakeClock(Date.now() + 31_000);
    assert.equal((await verifyHostKey(check(clock), ed25519Blob(3)))?.keyType, "ssh-ed25519");
    assert.deepEqual(clock.sleeps, []);
    assert.match(readFileSync(knownHosts, "utf8"), /^10\.0\.0\.11 ssh-ed25519 /);
  });
});

/** The fake hosts answer commands as src's builders make them, whatever the step is called. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { acquireLockCommand, releaseLockCommand } from "../../../src/lock/commands.js";
import { cmd } from "../../../src/shell/command.js";
import { FakeNetwork, fakeTarget, shapeOf, writes } from "../../support/fakes/fake-hosts.js";

async function session(net: FakeNetwork) {
  return net.connect(fakeTarget("lb1"), {});
}

test("a CommandShape answers the builder's command whatever its title, and gives the free words by name", async () => {
  const net = new FakeNetwork();
  const owners: string[] = [];
  net.host("lb1").on(shapeOf(acquireLockCommand("OWNER"), "OWNER"), (call) => {
    owners.push(call.values?.["OWNER"] ?? "");
    return { code: 3 };
  });
  const s = await session(net);
  assert.equal((await s.run(acquireLockCommand("alice 2026-01-01"), { step: "a title the fake never reads" })).code, 3);
  assert.deepEqual(owners, ["alice 2026-01-01"]);
  // Another builder's command, or the same words in another order, is not this shape.
  assert.equal((await s.run(releaseLockCommand("alice 2026-01-01"), { step: "take the cluster lock" })).code, 0);
  assert.equal((await s.run(cmd("mkdir", "alice 2026-01-01"), { step: "take the cluster lock" })).code, 0);
  assert.deepEqual(owners, ["alice 2026-01-01"]);
});

test("a shape's placeholder must be a word of the template (a typo cannot match everything)", () => {
  assert.throws(() => shapeOf(acquireLockCommand("OWNER"), "OWNR"), /the placeholder OWNR is no word of/);
});

test("an upload is matched by the file it writes, a RegExp by the masked command, not by the step", async () => {
  const net = new FakeNetwork();
  net
    .host("lb1")
    .on(writes("/etc/a"), "drop")
    .on(/^echo hello$/, { stdout: "matched\n" });
  const s = await session(net);
  assert.equal((await s.run(cmd("echo", "hello"), { step: "anything" })).stdout, "matched\n");
  assert.equal((await s.run(cmd("echo", "other"), { step: "echo hello" })).stdout, "");
  await assert.rejects(s.uploadAtomic({ path: "/etc/a", content: "x\n", mode: 0o644, owner: "root" }), /reset/);
});

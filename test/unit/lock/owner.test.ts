import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeLockOwner, formatLockOwner, lockOwnerNow, parseLockOwner } from "../../../src/lock/owner.js";

describe("lock owner file", () => {
  const owner = { operator: "alice@laptop", command: "reconfigure", pid: 4242, since: "2024-05-01T10:00:00.000Z" };

  it("parses back exactly what it formats", () => {
    assert.equal(formatLockOwner(owner), "operator=alice@laptop\ncommand=reconfigure\npid=4242\nsince=2024-05-01T10:00:00.000Z");
    assert.deepEqual(parseLockOwner(formatLockOwner(owner)), owner);
    assert.deepEqual(parseLockOwner(formatLockOwner(owner) + "\n"), owner);
  });

  it("keeps every value on one line, so a newline in a value cannot forge a field", () => {
    const text = formatLockOwner({ ...owner, command: "provision\npid=1" });
    assert.equal(text.split("\n").length, 4);
    assert.equal(parseLockOwner(text)?.pid, 4242);
  });

  it("reads an empty or foreign owner file as unknown, and ignores unknown keys", () => {
    assert.equal(parseLockOwner(""), undefined);
    assert.equal(parseLockOwner("held by hand\n"), undefined);
    assert.deepEqual(parseLockOwner("operator=bob@ci\nextra=1\n"), { operator: "bob@ci", command: "unknown", pid: 0, since: "" });
  });

  it("describes the holder with its age", () => {
    const now = new Date("2024-05-01T10:12:00.000Z");
    assert.equal(describeLockOwner(owner, now), "alice@laptop (reconfigure, pid 4242) since 2024-05-01T10:00:00.000Z (12 min ago)");
    assert.match(describeLockOwner(undefined, now), /unknown holder/);
  });

  it("names this process as the owner of a lock taken now", () => {
    const o = lockOwnerNow("provision", new Date("2024-01-02T03:04:05.000Z"));
    assert.equal(o.pid, process.pid);
    assert.equal(o.since, "2024-01-02T03:04:05.000Z");
    assert.match(o.operator, /^[^@\s]+@[^@\s]+$/);
  });
});

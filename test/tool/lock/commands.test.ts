import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderShell } from "../../../src/shell/command.js";
import type { Command } from "../../../src/shell/command.js";
import {
  acquireLockCommand,
  appendAuditCommand,
  breakLockCommand,
  formatAuditLine,
  LOCK_HELD_EXIT,
  releaseLockCommand,
} from "../../../src/lock/commands.js";
import { summarizeChanges } from "../../../src/lock/audit.js";

/** Runs a command as the remote shell would (the same string SSH sends). */
function runLocally(c: Command): { code: number; stdout: string } {
  const r = spawnSync("sh", ["-c", renderShell(c, { reveal: true })], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout };
}

describe("lock commands", () => {
  it("are built as quoted strings", () => {
    assert.equal(
      releaseLockCommand("operator=a@b", "/var/lib/harbor-ha/lock").toString(),
      `sh -c 'if [ "$(cat -- "$1/owner" 2>/dev/null)" = "$2" ]; then rm -rf -- "$1"; fi' sh /var/lib/harbor-ha/lock operator=a@b`,
    );
    assert.match(
      acquireLockCommand("operator=a@b\ncommand=x").toString(),
      /^sh -c '.*mkdir -m 0755.*' sh \/var\/lib\/harbor-ha\/lock 'operator=a@b\ncommand=x'$/s,
    );
  });

  it("take the lock once: a second taker gets the holder's owner file and exit 3; release frees it", () => {
    const root = mkdtempSync(join(tmpdir(), "hha-lock-"));
    try {
      const dir = join(root, "var", "lock");
      assert.equal(runLocally(acquireLockCommand("operator=a@one", dir)).code, 0);
      assert.equal(readFileSync(join(dir, "owner"), "utf8"), "operator=a@one\n");
      const second = runLocally(acquireLockCommand("operator=b@two", dir));
      assert.equal(second.code, LOCK_HELD_EXIT);
      assert.equal(second.stdout, "operator=a@one\n");
      runLocally(releaseLockCommand("operator=b@two", dir));
      assert.ok(existsSync(dir), "a release by someone else must leave the lock in place");
      runLocally(releaseLockCommand("operator=a@one", dir));
      assert.ok(!existsSync(dir));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("break a lock and print who held it", () => {
    const root = mkdtempSync(join(tmpdir(), "hha-lock-"));
    try {
      const dir = join(root, "lock");
      runLocally(acquireLockCommand("operator=a@one", dir));
      const r = runLocally(breakLockCommand(dir));
      assert.equal(r.stdout, "operator=a@one\n");
      assert.ok(!existsSync(dir));
      assert.equal(runLocally(breakLockCommand(dir)).code, 0, "breaking no lock is fine");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("audit log", () => {
  it("formats one line: time, operator, command, change", () => {
    const line = formatAuditLine({
      time: new Date("2024-05-01T10:00:00.000Z"),
      operator: "alice@laptop",
      command: "provision",
      change: "write /etc/a;\nreload keepalived",
    });
    assert.equal(line, "2024-05-01T10:00:00.000Z alice@laptop provision: write /etc/a; reload keepalived");
  });

  it("appends lines to a 0640 file in a folder it creates", () => {
    const root = mkdtempSync(join(tmpdir(), "hha-audit-"));
    try {
      const log = join(root, "log", "harbor-ha", "audit.log");
      assert.equal(runLocally(appendAuditCommand("one 'quoted' $HOME line", log)).code, 0);
      assert.equal(runLocally(appendAuditCommand("two", log)).code, 0);
      assert.equal(readFileSync(log, "utf8"), "one 'quoted' $HOME line\ntwo\n");
      assert.equal(statSync(log).mode & 0o777, 0o640);
      assert.equal(statSync(join(root, "log", "harbor-ha")).mode & 0o777, 0o750);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("summarizes a host's steps short", () => {
    assert.equal(summarizeChanges(["write /a", "reload keepalived"]), "write /a; reload keepalived");
    const many = Array.from({ length: 50 }, (_, i) => `write /etc/harbor/file-number-${i}`);
    const s = summarizeChanges(many, 100);
    assert.ok(s.length < 130, s);
    assert.match(s, /\(\+\d+ more\)$/);
    assert.equal(summarizeChanges(["x".repeat(500)], 50).length, 50);
  });
});

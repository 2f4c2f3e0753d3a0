import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { renderShell } from "../../../src/shell/command.js";
import { BACKUP_SUFFIX, UPLOAD_TRUNCATED_EXIT, buildAtomicUpload } from "../../../src/remote/upload.js";
import { formatMode } from "../../../src/shell/file-mode.js";

// The upload is one shell command; run it here in a real sh (as root, like on a host).
function runUpload(path: string, content: string, mode: number, cut?: (full: Buffer) => Buffer) {
  const u = buildAtomicUpload({ path, content, mode, owner: "nobody", group: "nogroup" });
  return spawnSync("sh", ["-c", renderShell(u.command, { reveal: true })], { input: cut ? cut(u.stdin) : u.stdin, encoding: "utf8" });
}

describe("atomic upload command", () => {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-upload-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("formats modes as chmod wants them and refuses relative paths", () => {
    assert.equal(formatMode(0o644), "0644");
    assert.equal(formatMode(0o4755), "4755");
    assert.throws(() => buildAtomicUpload({ path: "etc/x", content: "", mode: 0o644 }), /absolute/);
  });

  it("creates the parent folder and writes content, mode and owner", () => {
    const path = join(dir, "new dir", "it's.conf");
    const r = runUpload(path, "a = 'b'\n$(not run)\n", 0o640);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path, "utf8"), "a = 'b'\n$(not run)\n");
    const st = statSync(path);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 65534);
  });

  it("keeps the previous version as .harbor-ha.bak and leaves no temporary file", () => {
    const path = join(dir, "keep.conf");
    assert.equal(runUpload(path, "v1\n", 0o644).status, 0);
    assert.equal(runUpload(path, "v2\n", 0o600).status, 0);
    assert.equal(readFileSync(path, "utf8"), "v2\n");
    assert.equal(readFileSync(path + BACKUP_SUFFIX, "utf8"), "v1\n");
    assert.equal(statSync(path + BACKUP_SUFFIX).mode & 0o777, 0o644);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith(".harbor-ha")),
      [],
    );
  });

  it("leaves the old file untouched when the content arrives cut short", () => {
    const path = join(dir, "cut.conf");
    assert.equal(runUpload(path, "old\n", 0o644).status, 0);
    const r = runUpload(path, "new content, long\n", 0o644, (full) => full.subarray(0, full.length - 5));
    assert.equal(r.status, UPLOAD_TRUNCATED_EXIT);
    assert.match(r.stderr, /arrived incomplete/);
    assert.equal(readFileSync(path, "utf8"), "old\n");
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.startsWith(".harbor-ha")),
      [],
    );
  });
});

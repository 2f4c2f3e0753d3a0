/** The multi-file atomic upload, run here for real in sh (as root, like on a host). */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { renderShell } from "../../../src/shell/command.js";
import { BACKUP_SUFFIX, UPLOAD_TRUNCATED_EXIT } from "../../../src/remote/upload.js";
import type { UploadSpec } from "../../../src/remote/upload.js";
import { buildAtomicUploadBatch } from "../../../src/remote/upload-batch.js";

function runBatch(specs: UploadSpec[], stdin?: (full: Buffer) => Buffer) {
  const b = buildAtomicUploadBatch(specs);
  return spawnSync("sh", ["-c", renderShell(b.command, { reveal: true })], { input: stdin ? stdin(b.stdin) : b.stdin, encoding: "utf8" });
}

/** Leftover temporary or backup-in-progress files, anywhere under dir. */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => /(^|\/)\.harbor-ha/.test(n));
}

describe("atomic upload batch", () => {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-batch-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every file with its own content, mode and owner, in new and existing folders", () => {
    const a = join(dir, "one", "a.conf");
    const b = join(dir, "two words", "it's.key");
    const c = join(dir, "one", "empty");
    const binary = Buffer.from([0, 255, 10, 13, 0, 1]);
    const r = runBatch([
      { path: a, content: "a = 'b'\n$(not run)\n", mode: 0o644, owner: "root", group: "root" },
      { path: b, content: binary, mode: 0o600, owner: "nobody", group: "nogroup" },
      { path: c, content: "", mode: 0o640 },
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(a, "utf8"), "a = 'b'\n$(not run)\n");
    assert.deepEqual(readFileSync(b), binary);
    assert.equal(readFileSync(c, "utf8"), "");
    assert.equal(statSync(a).mode & 0o7777, 0o644);
    assert.equal(statSync(b).mode & 0o7777, 0o600);
    assert.equal(statSync(b).uid, 65534);
    assert.equal(statSync(c).mode & 0o7777, 0o640);
    assert.deepEqual(leftovers(dir), []);
  });

  it("gives files sharing a mode or owner each their own, in any order, and names sha256sum escapes", () => {
    const files = [
      { name: "m1", mode: 0o644, owner: "root", group: "root" },
      { name: "m2", mode: 0o600, owner: "nobody", group: "nogroup" },
      { name: "back\\slash", mode: 0o644, owner: "nobody", group: "nogroup" },
      { name: "m4", mode: 0o600, owner: "root", group: "root" },
      { name: "m5", mode: 0o755, owner: "root", group: "nogroup" },
    ];
    const r = runBatch(
      files.map((f) => ({ path: join(dir, "modes", f.name), content: `${f.name}\n`, mode: f.mode, owner: f.owner, group: f.group })),
    );
    assert.equal(r.status, 0, r.stderr);
    for (const f of files) {
      const st = statSync(join(dir, "modes", f.name));
      assert.equal(st.mode & 0o7777, f.mode, f.name);
      assert.equal(st.uid, f.owner === "root" ? 0 : 65534, f.name);
      assert.equal(st.gid, f.group === "root" ? 0 : 65534, f.name);
      assert.equal(readFileSync(join(dir, "modes", f.name), "utf8"), `${f.name}\n`);
    }
    assert.deepEqual(leftovers(dir), []);
  });

  it("gives each file exactly its own bytes when the contents are larger than a pipe's buffer", () => {
    const big = Buffer.alloc(300_000, "x");
    const a = join(dir, "big-a");
    const b = join(dir, "big-b");
    const r = runBatch([
      { path: a, content: big, mode: 0o644 },
      { path: b, content: "after the big one\n", mode: 0o644 },
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(a).size, 300_000);
    assert.equal(readFileSync(b, "utf8"), "after the big one\n");
  });

  it("keeps each previous version as .harbor-ha.bak", () => {
    const a = join(dir, "keep-a.conf");
    const b = join(dir, "keep-b.conf");
    writeFileSync(a, "old a\n", { mode: 0o600 });
    const r = runBatch([
      { path: a, content: "new a\n", mode: 0o644 },
      { path: b, content: "new b\n", mode: 0o644 },
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(a, "utf8"), "new a\n");
    assert.equal(readFileSync(a + BACKUP_SUFFIX, "utf8"), "old a\n");
    assert.equal(statSync(a + BACKUP_SUFFIX).mode & 0o777, 0o600);
    assert.equal(readFileSync(b, "utf8"), "new b\n");
    assert.equal(readdirSync(dir).includes("keep-b.conf" + BACKUP_SUFFIX), false, "no backup of a file that did not exist");
    assert.deepEqual(leftovers(dir), []);
  });

  it("changes no file of the batch when the stream is cut in the last file", () => {
    const a = join(dir, "cut-a.conf");
    const b = join(dir, "cut-b.conf");
    writeFileSync(a, "old a\n");
    writeFileSync(b, "old b\n");
    const r = runBatch(
      [
        { path: a, content: "new a\n", mode: 0o644 },
        { path: b, content: "new b, longer\n", mode: 0o644 },
      ],
      (full) => full.subarray(0, full.length - 3),
    );
    assert.equal(r.status, UPLOAD_TRUNCATED_EXIT);
    assert.match(r.stderr, /cut-b\.conf: the content arrived incomplete .* no file of this batch was changed/);
    assert.equal(readFileSync(a, "utf8"), "old a\n", "the first file, though it arrived whole, is not replaced");
    assert.equal(readFileSync(b, "utf8"), "old b\n");
    assert.deepEqual(leftovers(dir), []);
  });

  it("changes nothing when a file's owner does not exist (refused before any rename)", () => {
    const a = join(dir, "owner-a.conf");
    writeFileSync(a, "old a\n");
    const r = runBatch([
      { path: a, content: "new a\n", mode: 0o644 },
      { path: join(dir, "owner-b.conf"), content: "b\n", mode: 0o644, owner: "no-such-user-hha" },
    ]);
    assert.notEqual(r.status, 0);
    assert.equal(readFileSync(a, "utf8"), "old a\n");
    assert.equal(readdirSync(dir).includes("owner-b.conf"), false);
    assert.deepEqual(leftovers(dir), []);
  });

  it("refuses relative paths and an empty batch", () => {
    assert.throws(() => buildAtomicUploadBatch([{ path: "etc/x", content: "", mode: 0o644 }]), /absolute/);
    assert.throws(() => buildAtomicUploadBatch([]), /at least one/);
    assert.throws(() => buildAtomicUploadBatch([{ path: "/etc/a\nb", content: "", mode: 0o644 }]), /newline/);
  });
});

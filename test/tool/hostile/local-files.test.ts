/**
 * Local files: `--json FILE` written atomically, never through a symlink, never over the inventory
 * (cli/report/json.ts); the state folder refused when someone else could have written it.
 */
import assert from "node:assert/strict";
import { requireRoot } from "../../support/root.js";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeJson } from "../../../src/cli/report/json.js";
import { HarborHaError } from "../../../src/errors.js";
import { assertStateFolderSafe } from "../../../src/secrets/state-folder-check.js";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hha-local-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("--json FILE", () => {
  it("is written whole with mode 0600, replacing an earlier report, and leaves no temporary file", () =>
    withDir(async (dir) => {
      const file = join(dir, "report.json");
      writeFileSync(file, "old\n");
      await writeJson(file, '{"ok":true}\n');
      assert.equal(readFileSync(file, "utf8"), '{"ok":true}\n');
      assert.equal(lstatSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir), ["report.json"]);
    }));

  it("refuses a symlink and leaves its target alone", () =>
    withDir(async (dir) => {
      const target = join(dir, "precious");
      writeFileSync(target, "keep\n");
      symlinkSync(target, join(dir, "report.json"));
      await assert.rejects(writeJson(join(dir, "report.json"), "{}\n"), /symbolic link/);
      assert.equal(readFileSync(target, "utf8"), "keep\n");
    }));

  it("refuses the inventory itself, and a folder", () =>
    withDir(async (dir) => {
      const inventory = join(dir, "inventory.yaml");
      writeFileSync(inventory, "cluster: {}\n");
      await assert.rejects(writeJson(inventory, "{}\n", [inventory]), /the inventory itself/);
      assert.equal(readFileSync(inventory, "utf8"), "cluster: {}\n");
      mkdirSync(join(dir, "folder"));
      await assert.rejects(writeJson(join(dir, "folder"), "{}\n"), /not a regular file/);
      assert.equal(existsSync(join(dir, "folder", "report.json")), false);
    }));
});

describe("the state folder", () => {
  it("is refused when group or others may write it, with the fix", () =>
    withDir(async (dir) => {
      chmodSync(dir, 0o777);
      await assert.rejects(
        assertStateFolderSafe(dir),
        (e: unknown) => e instanceof HarborHaError && /writable/.test(e.message) && /chmod 0700/.test(e.hint ?? ""),
      );
      chmodSync(dir, 0o755);
      await assertStateFolderSafe(dir);
    }));

  it("is refused when another user owns it", () =>
    withDir(async (dir) => {
      requireRoot("chown to another user");
      chmodSync(dir, 0o700);
      chownSync(dir, 65534, 65534);
      await assert.rejects(assertStateFolderSafe(dir), /belongs to user id 65534/);
    }));

  it("a missing folder is fine (harbor-ha creates it 0700)", () => assertStateFolderSafe(join(tmpdir(), "hha-no-such-state-folder")));
});

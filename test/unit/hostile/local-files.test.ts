/** `--json FILE`: written atomically, never through a symlink, never over the inventory (cli/report/json.ts). */
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeJson } from "../../../src/cli/report/json.js";

describe("--json FILE", () => {
  const withDir = async (fn: (dir: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), "hha-json-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

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

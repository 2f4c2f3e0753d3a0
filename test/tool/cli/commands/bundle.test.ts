/**
 * The start-up bundle (scripts/bundle.mjs, made by `npm run build`): what bin/harbor-ha.js runs
 * when it is not older than the compiled sources. It must be there after a build, so that every
 * test that runs the command runs it, and it must do what the compiled sources do.
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { projectRoot } from "../../../../src/paths.js";

const root = projectRoot();
const bundled = join(root, "dist", "bundle", "main.js");
const compiled = join(root, "dist", "src", "cli", "main.js");

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Runs `main(args)` of one entry point in a process of its own; the exit code is main's. */
function runEntry(entry: string, args: string[]) {
  const script = "const { main } = await import(process.argv[1]); process.exitCode = await main(process.argv.slice(2));";
  return spawnSync(process.execPath, ["--input-type=module", "-e", script, pathToFileURL(entry).href, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}

/** Every file under dir with its content. */
function tree(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile());
  return Object.fromEntries(files.sort().map((p) => [relative(dir, join(dir, p)), readFileSync(join(dir, p), "utf8")]));
}

test("the build made the bundle, not older than the compiled sources: the command runs it", () => {
  assert.ok(statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs, "dist/bundle is older than dist/src: run npm run build");
});

test("the bundle renders exactly what the compiled sources render", () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-bundle-"));
  made.push(dir);
  // One copy of the example inventory, so both renders read the same state folder (made by the first).
  cpSync(join(root, "inventory"), join(dir, "inventory"), { recursive: true, filter: (src) => !src.includes(".harbor-ha") });
  const inventory = join(dir, "inventory", "example.yaml");
  const a = runEntry(compiled, ["render", inventory, "--out", join(dir, "compiled")]);
  assert.equal(a.status, 0, a.stderr);
  const b = runEntry(bundled, ["render", inventory, "--out", join(dir, "bundled")]);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout.replaceAll("/bundled", "/compiled"), a.stdout);
  assert.deepEqual(tree(join(dir, "bundled")), tree(join(dir, "compiled")));
});

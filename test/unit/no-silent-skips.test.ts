/**
 * No test skips: a skipped test reads as a passed one in a summary and hides what was not tested.
 * A tool test that needs root or a tool fails saying so (test/support/root.ts); one that cannot
 * run on a test machine at all belongs to the lab (test/e2e/).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../src/paths.js";

/** node:test's ways of skipping: the option, the context's method, and test.skip / describe.skip. */
const SKIPPING = /\{\s*skip\b|\bskip\s*:|\b(?:t|test|it|describe|context)\.skip\s*\(|\btodo\s*:/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

test("the catch: each way of skipping is recognised", () => {
  for (const line of ['test("x", { skip }, () => {})', 'test("x", { skip: !root && "needs root" }, f)', "t.skip('no tool')", 'describe.skip("x", f)'])
    assert.match(line, SKIPPING, line);
  assert.doesNotMatch('"database (skip): the schema is there"', SKIPPING);
});

test("no unit or tool test skips", () => {
  const root = projectRoot();
  const skipping = ["unit", "tool", "support"]
    .flatMap((tier) => sources(join(root, "test", tier)))
    .filter((f) => !f.endsWith("no-silent-skips.test.ts"))
    .flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => (SKIPPING.test(line) ? [`${relative(root, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(skipping, []);
});

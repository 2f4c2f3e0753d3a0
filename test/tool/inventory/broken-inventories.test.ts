/**
 * Every file in test/fixtures/inventories/broken/ is an inventory with something
 * wrong, and lists at its end, as `# expect: <severity> <line|-> <path>: <message>`,
 * exactly the problems it must produce: no more, no fewer. `{DIR}` stands for the
 * folder the inventory is loaded from.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InventoryProblem } from "../../../src/errors.js";
import { parseInventory } from "../../../src/inventory/load.js";
import { projectRoot } from "../../../src/paths.js";
import { createTestWorld, TEST_SECRETS } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { TEST_NOW } from "../../support/tls-fixtures.js";

const BROKEN = join(projectRoot(), "test", "fixtures", "inventories", "broken");
const EXPECT = /^# expect: (.*)$/gm;

function expectedOf(text: string): string[] {
  return [...text.matchAll(EXPECT)].map((m) => (m[1] ?? "").trim());
}

function show(p: InventoryProblem, dir: string): string {
  return `${p.severity} ${p.line ?? "-"} ${p.path}: ${p.message}`.split(dir).join("{DIR}");
}

describe("broken inventories", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const files = readdirSync(BROKEN)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  it("has at least 30 cases", () => assert.ok(files.length >= 30, `only ${files.length} broken inventories`));

  for (const name of files) {
    it(name, () => {
      const text = readFileSync(join(BROKEN, name), "utf8");
      const expected = expectedOf(text);
      const result = parseInventory(text, { file: join(world.dir, name), dir: world.dir, env: world.env, now: TEST_NOW });
      const actual = result.problems.map((p) => show(p, world.dir));
      // To write the expectations of a new case: PRINT_PROBLEMS=1, then read every line before pasting it.
      if (process.env["PRINT_PROBLEMS"]) console.log(`== ${name}\n${actual.map((a) => `# expect: ${a}`).join("\n")}`);
      assert.ok(expected.length > 0, `${name} lists no "# expect:" line`);
      assert.deepEqual([...actual].sort(), [...expected].sort());
      const hasError = result.problems.some((p) => p.severity === "error");
      assert.equal(result.inventory === undefined, hasError, "an inventory comes back exactly when no problem is an error");
      for (const p of result.problems) {
        for (const secret of Object.values(TEST_SECRETS)) assert.ok(!p.message.includes(secret), `a secret value leaked into: ${p.message}`);
      }
    });
  }
});

/**
 * Inventories made from the valid fixtures by one small patch each: a YAML path and the value
 * put there (undefined deletes it). Loaded through the real loader in a test world (env.ts), so
 * what validate says of them is what an operator would see.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { InventoryProblem } from "../../../src/errors.js";
import { parseHarbor2VmInventory, parseInventory } from "../../../src/inventory/load.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { projectRoot } from "../../../src/paths.js";
import { after, before, describe, it } from "node:test";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { TEST_NOW } from "../../support/tls-fixtures.js";

const FIXTURES = join(projectRoot(), "test", "fixtures", "inventories");
export const BASES = {
  v1: readFileSync(join(FIXTURES, "valid.yaml"), "utf8"),
  v2: readFileSync(join(FIXTURES, "v2", "vms.yaml"), "utf8"),
} as const;
export type Base = keyof typeof BASES;

export type Patch = ReadonlyArray<readonly [path: ReadonlyArray<string | number>, value: unknown]>;

/** The base inventory's text with each path set to its value (or removed when the value is undefined). */
export function patchedText(base: Base, patch: Patch): string {
  const doc = parseDocument(BASES[base]);
  for (const [path, value] of patch) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, value);
  }
  return doc.toString({ lineWidth: 0 });
}

export interface Loaded {
  inventory: Inventory | undefined;
  problems: InventoryProblem[];
  errors: InventoryProblem[];
}

export function loadPatched(world: TestWorld, base: Base, patch: Patch): Loaded {
  const text = patchedText(base, patch);
  const opts = { file: join(world.dir, "inventory.yaml"), dir: world.dir, env: world.env, now: TEST_NOW };
  const r = base === "v1" ? parseInventory(text, opts) : parseHarbor2VmInventory(text, opts);
  return { inventory: r.inventory, problems: r.problems, errors: r.problems.filter((p) => p.severity === "error") };
}

/** "path: message" of each error, for assertion messages. */
export function describeErrors(l: Loaded): string {
  return l.errors.map((p) => `${p.path}: ${p.message}`).join("\n") || "(no errors)";
}

/** One refused case: the patch, and the YAML path validate must name. */
export interface RefusedCase {
  name: string;
  base: Base;
  patch: Patch;
  path: string;
}

/** A suite with one test per case: the inventory is refused, with an error at the case's path. */
export function describeRefused(title: string, cases: readonly RefusedCase[], more?: (world: () => TestWorld) => void): void {
  describe(title, () => {
    let world: TestWorld;
    before(() => {
      world = createTestWorld();
    });
    after(() => world.remove());
    for (const c of cases) {
      it(c.name, () => {
        const l = loadPatched(world, c.base, c.patch);
        assert.equal(l.inventory, undefined, "the inventory must be refused");
        assert.ok(
          l.errors.some((p) => p.path === c.path),
          `expected an error at ${c.path}, got:\n${describeErrors(l)}`,
        );
      });
    }
    more?.(() => world);
  });
}

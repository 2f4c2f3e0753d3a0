/** harbor.yml's text itself: values survive YAML whatever they hold, and every secret key is one the diff masks. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { parseHarbor2Inventory } from "../../../../src/inventory/load.js";
import { projectRoot } from "../../../../src/paths.js";
import { harbor2YmlSecretKeys, renderHarbor2Yml } from "../../../../src/harbor/v2/harbor-yml.js";
import { createTestWorld } from "../../../support/test-world.js";
import type { TestWorld } from "../../../support/test-world.js";
import { TEST_NOW } from "../../../support/tls-fixtures.js";

const VMS_FIXTURE = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8");

describe("harbor.yml for Harbor 2.x", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const render = (text: string, env: NodeJS.ProcessEnv = {}) => {
    const { inventory, problems } = parseHarbor2Inventory(text, {
      file: join(world.dir, "inv.yaml"),
      dir: world.dir,
      env: { ...world.env, ...env },
      now: TEST_NOW,
    });
    assert.ok(inventory, problems.map((p) => p.message).join("\n"));
    return { inv: inventory, text: renderHarbor2Yml(inventory, "harbor1") };
  };

  it("a password with YAML's own characters reads back verbatim", () => {
    const tricky = `a: b #c "d' {e} [f] & *g`;
    const { text } = render(VMS_FIXTURE, { TEST_ADMIN_PASSWORD: tricky, TEST_REDIS_PASSWORD: tricky });
    const doc = parse(text) as Record<string, Record<string, unknown>>;
    assert.equal(doc["harbor_admin_password"], tricky);
    assert.equal(doc["external_redis"]?.["password"], tricky);
  });

  it("http leaves https out; every secret-bearing line is under a masked key", () => {
    const { inv, text } = render(VMS_FIXTURE.replace("protocol: https", "protocol: http"));
    const doc = parse(text) as Record<string, unknown>;
    assert.equal(doc["https"], undefined);
    const keys = harbor2YmlSecretKeys(inv);
    for (const line of text.split("\n").filter((l) => /redis-secret-42|db-secret-77|Admin-Secret-9/.test(l))) {
      assert.ok(keys.includes(line.trim().split(":")[0] ?? ""), `masked: ${line.replace(/:.*/, ": …")}`);
    }
  });
});

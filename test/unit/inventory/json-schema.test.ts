import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { INVENTORY_SCHEMA_FILE, renderInventoryJsonSchema } from "../../../src/inventory/json-schema.js";
import { projectRoot } from "../../../src/paths.js";

const root = projectRoot();
const EXAMPLES = readdirSync(join(root, "inventory")).filter((f) => f.endsWith(".yaml"));
const MODELINE = "# yaml-language-server: $schema=./harbor-ha.schema.json";

function compiled() {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(JSON.parse(renderInventoryJsonSchema()) as object);
}

describe("the inventory's JSON Schema", () => {
  it(`is shipped current in ${INVENTORY_SCHEMA_FILE} (regenerate: harbor-ha schema > ${INVENTORY_SCHEMA_FILE})`, () => {
    assert.equal(readFileSync(join(root, INVENTORY_SCHEMA_FILE), "utf8"), renderInventoryJsonSchema());
  });

  it("accepts every example inventory, and each names it on its first line", () => {
    assert.ok(EXAMPLES.length >= 3, `examples found: ${EXAMPLES.join(", ")}`);
    const validate = compiled();
    for (const name of EXAMPLES) {
      const text = readFileSync(join(root, "inventory", name), "utf8");
      assert.equal(text.split("\n")[0], MODELINE, `${name}: first line`);
      assert.ok(validate(parse(text)), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  it("refuses what the loader refuses: an unknown key, a wrong type, a missing section", () => {
    const validate = compiled();
    const example = parse(readFileSync(join(root, "inventory", "example.yaml"), "utf8")) as Record<string, any>;
    const typo = structuredClone(example);
    typo.keepalived.virtual_router_idd = 51;
    assert.equal(validate(typo), false, "unknown key keepalived.virtual_router_idd");
    const wrongType = structuredClone(example);
    wrongType.load_balancers[0].ssh = { port: "22" };
    assert.equal(validate(wrongType), false, "ssh.port as a string");
    const { cluster: _c, ...noCluster } = example;
    assert.equal(validate(noCluster), false, "no cluster section");
  });
});

/** harbor.yml's text itself: values survive YAML whatever they hold, and every secret key is one the diff masks. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parse } from "yaml";
import { harbor2LinesAtHand, readTgzMember, requireHarbor2LineFiles } from "../../../support/harbor-bundles.js";
import { parseHarbor2Inventory } from "../../../../src/inventory/load.js";
import { projectRoot } from "../../../../src/paths.js";
import { harbor2YmlSecretKeys, renderHarbor2Yml } from "../../../../src/harbor/v2/harbor-yml.js";
import { createTestWorld } from "../../../support/test-world.js";
import type { TestWorld } from "../../../support/test-world.js";
import { TEST_NOW } from "../../../support/tls-fixtures.js";

/** The release lines whose installer and prepare image are in ../shared/harbor/ (2.13 and 2.15 always; another where it was built). */
const LINES = harbor2LinesAtHand();

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

  // Harbor's prepare script (the installer's `prepare`, run by install.sh) reads data_volume with
  // grep and awk, not as YAML, and binds what it finds: its own line, run on our file, must find /data.
  for (const line of LINES) {
    it(`Harbor ${line.line}'s own prepare script reads data_volume from the rendered harbor.yml as the path itself`, () => {
      const files = requireHarbor2LineFiles(line.line);
      const script = readTgzMember(files.installer, "harbor/prepare");
      const reader = script.split("\n").find((l) => l.startsWith("data_path="));
      assert.ok(reader, `${files.installer}: its prepare script has no data_path= line`);
      const inputDir = join(world.dir, `input-${line.line}`);
      mkdirSync(inputDir, { recursive: true });
      const { text } = render(VMS_FIXTURE.replace(/harbor_version: .*/, `harbor_version: ${files.release}`));
      writeFileSync(join(inputDir, "harbor.yml"), text);
      const found = execFileSync("bash", ["-c", `input_dir="$1"; ${reader}; printf %s "$data_path"`, "bash", inputDir], { encoding: "utf8" });
      assert.equal(found, "/data");
    });
  }

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

/**
 * harbor.yml read back by Harbor's own reader: each release line's prepare image code
 * (utils/configs.py parse_yaml_config, from ../shared/harbor/, unpacked into a temporary
 * folder) parses the rendered file, and what it takes from it must be the inventory's values
 * exactly, YAML's own characters and newlines included. And its `prepare migrate` finds the
 * file already in its own format (the line's configVersion). Needs python3 with yaml, jinja2,
 * click and packaging (Debian packages), as prepare itself; no root.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderHarbor2Yml } from "../../../../src/harbor/v2/harbor-yml.js";
import { parseHarbor2Inventory } from "../../../../src/inventory/load.js";
import type { Harbor2Inventory } from "../../../../src/inventory/model-v2.js";
import { projectRoot } from "../../../../src/paths.js";
import { harbor2LinesAtHand, requireHarbor2LineFiles } from "../../../support/harbor-bundles.js";

import { TEST_NOW } from "../../../support/tls-fixtures.js";
import { prepareCodeWorld } from "../../../support/inventories.js";

const VMS_FIXTURE = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8");

/** Values YAML reads as something else when written plainly: a mapping, a comment, a quote, an alias, a number, a newline. */
const TRICKY = [`a: b #c "d' {e} [f] & *g`, "line one\nline two", "- 0x1F", "'single' \\back\\slash", " spaced ", "yes", "~"];

/** What parse_yaml_config made of the file, for the keys harbor-ha fills in from the inventory. */
const READ_BACK = `
import json, sys
sys.path.insert(0, '.')
from utils.configs import parse_yaml_config
keys = ['hostname', 'protocol', 'harbor_admin_password', 'harbor_db_host', 'harbor_db_port', 'harbor_db_name',
        'harbor_db_username', 'harbor_db_password', 'harbor_db_sslmode', 'storage_provider_name',
        'storage_provider_config', 'job_loggers', 'data_volume', 'redis_url_core']
out = []
for path in sys.argv[1:]:
    c = parse_yaml_config(path, with_trivy=True)
    out.append({k: c.get(k) for k in keys})
print(json.dumps(out))
`;

/** The release lines whose installer and prepare image are in ../shared/harbor/ (2.13 and 2.15 always; another where it was built). */
const LINES = harbor2LinesAtHand();

for (const line of LINES) {
  const files = requireHarbor2LineFiles(line.line);
  describe(`harbor.yml read back by Harbor ${files.release}'s own prepare code`, () => {
    const ctx = prepareCodeWorld(files.prepareImage);

    const load = (text: string, env: NodeJS.ProcessEnv): Harbor2Inventory => {
      const { inventory, problems } = parseHarbor2Inventory(text.replace(/harbor_version: .*/, `harbor_version: ${files.release}`), {
        file: join(ctx.world.dir, "inv.yaml"),
        dir: ctx.world.dir,
        env: { ...ctx.world.env, ...env },
        now: TEST_NOW,
      });
      assert.ok(inventory, problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
      return inventory;
    };
    const written = (inv: Harbor2Inventory): string => {
      const path = join(mkdtempSync(join(ctx.world.dir, "yml-")), "harbor.yml");
      writeFileSync(path, renderHarbor2Yml(inv, "harbor1"));
      return path;
    };
    const python = (args: string[]) => spawnSync("python3", args, { cwd: ctx.code, encoding: "utf8", env: { ...process.env, LANG: "C.UTF-8" } });

    it("reads back every inventory value exactly, YAML's own characters and newlines included, s3 keys too", () => {
      const cases = TRICKY.map((value) => {
        const inv = load(
          VMS_FIXTURE.replace(
            "storage:\n  type: nfs\n  server: 10.20.0.40\n  registry_export: /exports/registry\n",
            "storage:\n  type: object_store\n  provider: s3\n  config:\n    region: eu-west-1\n    bucket: ${env:TEST_VALUE}\n" +
              '    secretkey: ${env:TEST_VALUE}\n    secure: true\n    chunksize: 5242880\n    "odd: key\\n#data_volume: /etc": 1\n',
          ),
          { TEST_ADMIN_PASSWORD: value, TEST_REDIS_PASSWORD: value, TEST_VALUE: value },
        );
        return { value, inv, path: written(inv) };
      });
      // One interpreter for every case: prepare's imports take seconds.
      const r = python(["-c", READ_BACK, ...cases.map((c) => c.path)]);
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      for (const [i, { value, inv }] of cases.entries()) {
        const d = inv.data;
        assert.deepEqual(
          got[i],
          {
            hostname: d.cluster.hostname,
            protocol: d.cluster.protocol,
            harbor_admin_password: value,
            harbor_db_host: d.database.host,
            harbor_db_port: d.database.port,
            harbor_db_name: d.database.core_database,
            harbor_db_username: d.database.user,
            harbor_db_password: d.database.password?.reveal(),
            harbor_db_sslmode: d.database.sslmode,
            storage_provider_name: "s3",
            storage_provider_config: {
              region: "eu-west-1",
              bucket: value,
              secretkey: value,
              secure: true,
              chunksize: 5242880,
              "odd: key\n#data_volume: /etc": 1,
            },
            job_loggers: ["STD_OUTPUT", "DB"],
            data_volume: "/data",
            redis_url_core: `redis://:${pythonQuote(value)}@${d.redis.host}:${d.redis.port}?idle_timeout_seconds=30`,
          },
          `read back ${JSON.stringify(value)}`,
        );
      }
    });

    it(`is in ${line.line}'s own format: its prepare migrate has nothing to do (_version ${line.configVersion})`, () => {
      const inv = load(VMS_FIXTURE, {});
      const path = written(inv);
      const before = readFileSync(path, "utf8");
      const r = python(["main.py", "migrate", "-i", path]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`identical to target ${line.configVersion.replace(/\./g, "\\.")}`));
      assert.equal(readFileSync(path, "utf8"), before);
    });
  });
}

/** Python's urllib.parse.quote(value, safe=''), as prepare puts the Redis password into its URLs. */
function pythonQuote(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

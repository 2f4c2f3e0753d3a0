/**
 * Issue 22's corpus for harbor.yml: the hostile values (corpus-cases.ts) put into every 2.x
 * inventory field that lands in harbor.yml (written by the YAML serializer, harbor/v2/harbor-yml.ts).
 * Each case is refused by validate, or rendered and read back by Harbor's own reader:
 * parse_yaml_config from the 2.15 prepare image's code in ../shared/harbor/, every key
 * harbor-ha fills in equal to what the inventory says. One interpreter reads every file.
 * Needs python3 with yaml, jinja2, click and packaging (Debian packages), as prepare itself.
 * Prints the counts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { renderHarbor2Yml } from "../../../src/harbor/v2/harbor-yml.js";
import { isHarbor2Inventory } from "../../../src/inventory/load.js";
import type { Harbor2Inventory } from "../../../src/inventory/model-v2.js";
import { requireHarbor2LineFiles } from "../../support/harbor-bundles.js";
import { prepareCodeWorld } from "../../support/inventories.js";
import { HOSTILE_VALUES } from "./corpus-cases.js";
import type { CorpusCase } from "./corpus-cases.js";
import { loadPatched } from "./patched.js";
import type { Patch } from "./patched.js";

/** Without TLS files to check (openssl runs per load), the corpus loads in a fraction of the time. */
const PLAIN_HTTP: Patch = [
  [["cluster", "protocol"], "http"],
  [["tls"], undefined],
];
const S3 = { type: "object_store", provider: "s3", config: { region: "eu-west-1", bucket: "harbor", accesskey: "AKIA", secretkey: "s" } };

const FIELDS: ReadonlyArray<{ name: string; patch(v: string): Patch }> = [
  { name: "harbor.admin_password", patch: (v) => [[["harbor", "admin_password"], v]] },
  { name: "database.user", patch: (v) => [[["database", "user"], v]] },
  { name: "database.password", patch: (v) => [[["database", "password"], v]] },
  { name: "database.core_database", patch: (v) => [[["database", "core_database"], v]] },
  { name: "database.host", patch: (v) => [[["database", "host"], v]] },
  { name: "redis.password", patch: (v) => [[["redis", "password"], v]] },
  { name: "cluster.hostname", patch: (v) => [[["cluster", "hostname"], v]] },
  { name: "storage.config.region", patch: (v) => [[["storage"], { ...S3, config: { ...S3.config, region: v } }]] },
  { name: "storage.config.secretkey", patch: (v) => [[["storage"], { ...S3, config: { ...S3.config, secretkey: v } }]] },
  { name: "storage.config key", patch: (v) => [[["storage"], { ...S3, config: { ...S3.config, [v]: "x" } }]] },
];

export const HARBOR_YML_CORPUS: readonly CorpusCase[] = FIELDS.flatMap((f) =>
  Object.entries(HOSTILE_VALUES).map(([label, v]) => ({ name: `${f.name}: ${label}`, base: "v2" as const, patch: [...PLAIN_HTTP, ...f.patch(v)] })),
);

/** What parse_yaml_config made of each file, for the keys harbor-ha fills in from the inventory. */
const READ_BACK = `
import json, sys
sys.path.insert(0, '.')
from utils.configs import parse_yaml_config
keys = ['hostname', 'protocol', 'harbor_admin_password', 'harbor_db_host', 'harbor_db_port', 'harbor_db_name',
        'harbor_db_username', 'harbor_db_password', 'harbor_db_sslmode', 'storage_provider_name',
        'storage_provider_config', 'redis_url_core']
out = []
for path in sys.argv[1:]:
    try:
        c = parse_yaml_config(path, with_trivy=True)
        out.append({k: c.get(k) for k in keys})
    except Exception as e:
        out.append({'error': repr(e)})
print(json.dumps(out))
`;

/** A password in Harbor's redis URL, as prepare quotes it (urllib's quote with no safe characters). */
function pythonQuote(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function expected(inv: Harbor2Inventory): Record<string, unknown> {
  const d = inv.data;
  const s3 = d.storage.type === "object_store";
  return {
    hostname: d.cluster.hostname,
    protocol: d.cluster.protocol,
    harbor_admin_password: d.harbor.admin_password?.reveal(),
    harbor_db_host: d.database.host,
    harbor_db_port: d.database.port,
    harbor_db_name: d.database.core_database,
    harbor_db_username: d.database.user,
    harbor_db_password: d.database.password?.reveal(),
    harbor_db_sslmode: d.database.sslmode,
    storage_provider_name: s3 ? "s3" : "filesystem",
    ...(d.storage.type === "object_store"
      ? {
          storage_provider_config: Object.fromEntries(
            Object.entries(d.storage.config).map(([k, v]) => [k, typeof v === "number" || typeof v === "boolean" ? v : v.reveal()]),
          ),
        }
      : {}),
    redis_url_core: `redis://:${pythonQuote(d.redis.password?.reveal() ?? "")}@${d.redis.host}:${d.redis.port}?idle_timeout_seconds=30`,
  };
}

describe("hostile corpus: harbor.yml", () => {
  const files = requireHarbor2LineFiles("2.15");
  const ctx = prepareCodeWorld(files.prepareImage);

  it(`${HARBOR_YML_CORPUS.length} cases: each refused, or read back by Harbor ${files.release}'s parse_yaml_config as the inventory says`, () => {
    const pending: Array<{ c: CorpusCase; path: string; want: Record<string, unknown> }> = [];
    let refused = 0;
    const dir = mkdtempSync(join(ctx.world.dir, "yml-corpus-"));
    for (const [i, c] of HARBOR_YML_CORPUS.entries()) {
      const l = loadPatched(ctx.world, c.base, c.patch);
      if (l.inventory === undefined) {
        assert.ok(l.errors.length > 0, `${c.name}: refused without an error`);
        refused += 1;
        continue;
      }
      assert.ok(isHarbor2Inventory(l.inventory));
      const path = join(dir, `harbor-${i}.yml`);
      writeFileSync(path, renderHarbor2Yml(l.inventory, "harbor1"));
      pending.push({ c, path, want: expected(l.inventory) });
    }
    const r = spawnSync("python3", ["-c", READ_BACK, ...pending.map((p) => p.path)], {
      cwd: ctx.code,
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8" },
    });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const failures: string[] = [];
    for (const [i, { c, want }] of pending.entries()) {
      const read = got[i] ?? {};
      const differs = Object.keys(want).filter((k) => JSON.stringify(read[k]) !== JSON.stringify(want[k]));
      if ("error" in read || differs.length > 0)
        failures.push(
          `${c.name}: ${String(read.error ?? differs.map((k) => `${k} read back as ${JSON.stringify(read[k])}, not ${JSON.stringify(want[k])}`).join("; "))}`,
        );
    }
    console.log(
      `hostile corpus (harbor.yml): tried ${HARBOR_YML_CORPUS.length}, refused ${refused}, rendered and read back equal ${pending.length - failures.length}`,
    );
    assert.deepEqual(failures, []);
    assert.ok(pending.length > 0, "some cases render");
  });
});

/**
 * Golden files: inventory/example.yaml rendered with the fixed cluster state must equal
 * test/golden/example/<host>/<absolute path>, plus a manifest per host. Regenerate after an
 * intended change with UPDATE_GOLDEN=1 and review the diff.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { readInventory } from "../../../src/inventory/load.js";
import { projectRoot } from "../../../src/paths.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredHost, DesiredState } from "../../../src/desired/types.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { harbor1 } from "../../support/harbor1.js";
import { readFixtureState } from "../../support/inventories.js";

const GOLDEN_ROOT = join(projectRoot(), "test", "golden");
const MANIFEST = "MANIFEST.json";

function manifestOf(h: DesiredHost): string {
  const files = h.files.map((f) => ({
    path: f.path,
    mode: f.mode.toString(8).padStart(4, "0"),
    owner: `${f.owner}:${f.group}`,
    sensitive: f.sensitive,
    onChange: f.onChange,
    sha256: createHash("sha256").update(f.content).digest("hex"),
  }));
  const directories = h.directories.map((d) => ({ ...d, mode: d.mode.toString(8).padStart(4, "0") }));
  return `${JSON.stringify({ host: h.host, packages: h.packages, users: h.users, directories, mounts: h.mounts, requiredMounts: h.requiredMounts, files }, null, 2)}\n`;
}

/** Every golden file a render produces: relative path → content. */
function goldenEntries(state: DesiredState): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of state.hosts) {
    for (const f of h.files) out.set(join(h.host.name, f.path), f.content);
    out.set(join(h.host.name, MANIFEST), manifestOf(h));
  }
  out.set("database.json", `${JSON.stringify(state.database, null, 2)}\n`);
  return out;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The render of `inventory` must equal test/golden/<name>/ file for file. */
async function assertGolden(name: string, inventory: Inventory, keep: (rel: string) => boolean = () => true): Promise<void> {
  const GOLDEN_DIR = join(GOLDEN_ROOT, name);
  const state = await readFixtureState();
  // The database's registry.sql source is absolute on this machine; golden files keep it project-relative.
  const rendered = renderDesiredState(inventory, state);
  assert.ok(rendered.database.engine === "mariadb", "a Harbor 1.x render has registry.sql as its database step");
  const sql = rendered.database.registrySql;
  rendered.database.registrySql =
    sql.from === "file" ? { ...sql, path: relative(projectRoot(), sql.path) } : { ...sql, bundle: relative(projectRoot(), sql.bundle) };
  const entries = new Map([...goldenEntries(rendered)].filter(([rel]) => keep(rel)));

  if (process.env.UPDATE_GOLDEN === "1") {
    rmSync(GOLDEN_DIR, { recursive: true, force: true });
    for (const [rel, content] of entries) {
      mkdirSync(dirname(join(GOLDEN_DIR, rel)), { recursive: true });
      writeFileSync(join(GOLDEN_DIR, rel), content);
    }
  }
  assert.deepEqual(listFiles(GOLDEN_DIR), [...entries.keys()].sort(), "the set of golden files differs (UPDATE_GOLDEN=1 regenerates)");
  for (const [rel, content] of entries) {
    assert.equal(content, readFileSync(join(GOLDEN_DIR, rel), "utf8"), `${rel} differs from its golden file (UPDATE_GOLDEN=1 regenerates)`);
  }
}

test("inventory/example.yaml renders exactly the golden files", async () => {
  const { inventory } = await readInventory(join(projectRoot(), "inventory", "example.yaml"), { env: {} });
  await assertGolden("example", inventory);
});

test("inventory/example.yaml with load_balancing: haproxy renders exactly its golden files", async () => {
  const { inventory } = await readInventory(join(projectRoot(), "inventory", "example.yaml"), { env: {} });
  // What differs from example's: the two configurations, and every host's manifest (the nodes', less the VIP acceptance rules).
  const keep = (rel: string) => rel.endsWith(MANIFEST) || rel.endsWith("/haproxy.cfg") || rel.endsWith("/keepalived.conf");
  const h1 = harbor1(inventory);
  await assertGolden("example-haproxy", { ...h1, data: { ...h1.data, load_balancing: "haproxy" } }, keep);
});

test("rendering twice gives identical output (the render is pure)", async () => {
  const { inventory } = await readInventory(join(projectRoot(), "inventory", "example.yaml"), { env: {} });
  const state = await readFixtureState();
  assert.deepEqual(renderDesiredState(inventory, state), renderDesiredState(inventory, state));
});

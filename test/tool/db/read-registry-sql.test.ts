/**
 * registry.sql read out of Harbor's offline installer (the default) or from the operator's
 * file; errors name the bundle and what is missing.
 */
import { Secret } from "../../../src/inventory/secret.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { RegistrySqlError } from "../../../src/db/errors.js";
import { planDatabase } from "../../../src/db/plan.js";
import { readRegistrySql } from "../../../src/db/read-registry-sql.js";
import { BUNDLE_REGISTRY_SQL, renderDatabase } from "../../../src/harbor/v1/database.js";
import { harborBundlePath, readBundleMember } from "../../support/harbor-bundles.js";
import { buildTestInventory, inventoryData } from "../../support/inventories.js";

const bundleSql = (bundle: string) => readRegistrySql({ from: "bundle", bundle, member: BUNDLE_REGISTRY_SQL });

test("without database.registry_sql, the render reads harbor/ha/registry.sql from installer.bundle", () => {
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" });
  delete (raw.database as Record<string, unknown>).registry_sql;
  assert.deepEqual(renderDatabase(buildTestInventory(raw)).registrySql, {
    from: "bundle",
    bundle: "/srv/inventory/harbor.tgz",
    member: "harbor/ha/registry.sql",
  });
  const withFile = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }));
  assert.deepEqual(renderDatabase(withFile).registrySql, { from: "file", path: "/srv/inventory/registry.sql" });
});

test("Harbor's installers: the file as shipped, byte for byte; the version check compares major.minor", async () => {
  for (const [version, marker] of [
    ["1.4.0", "1.4.0"],
    ["1.5.4", "1.5.0"],
  ] as const) {
    const file = await bundleSql(harborBundlePath(version));
    assert.equal(file.text, readBundleMember(version, "harbor/ha/registry.sql"));
    assert.equal(file.parsed.versionMarker, marker);
    assert.equal(file.path, `harbor/ha/registry.sql in ${harborBundlePath(version)}`);
    const desired = {
      engine: "mariadb" as const,
      password: new Secret("pw", "database.password"),
      host: "db",
      port: 3306,
      user: "harbor",
      database: "registry" as const,
      registrySql: { from: "bundle" as const, bundle: harborBundlePath(version), member: BUNDLE_REGISTRY_SQL },
      harborVersion: version,
    };
    const plan = planDatabase(
      desired,
      file.parsed,
      { serverVersion: "10.11.6-MariaDB", registryExists: false, tables: [], rowCounts: {} },
      { reinitialize: false },
    );
    assert.equal(plan.action, "load", plan.reason);
  }
});

test("a missing bundle, a file that is no .tgz, a .tgz without harbor/ha/registry.sql: each named, with the fix", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-bundle-"));
  try {
    const missing = join(dir, "absent.tgz");
    await assert.rejects(
      bundleSql(missing),
      (e: Error) =>
        e instanceof RegistrySqlError && e.message === `cannot read harbor/ha/registry.sql from the installer bundle ${missing}: it does not exist`,
    );
    const garbage = join(dir, "garbage.tgz");
    writeFileSync(garbage, "not an archive\n");
    await assert.rejects(
      bundleSql(garbage),
      (e: Error) =>
        e instanceof RegistrySqlError &&
        e.message.startsWith(`cannot read harbor/ha/registry.sql from the installer bundle ${garbage}: it is not a readable .tgz archive`),
    );
    mkdirSync(join(dir, "harbor"));
    writeFileSync(join(dir, "harbor", "install.sh"), "#!/bin/sh\n");
    const other = join(dir, "other.tgz");
    execFileSync("tar", ["-czf", other, "-C", dir, "harbor"]);
    await assert.rejects(
      bundleSql(other),
      (e: Error) =>
        e instanceof RegistrySqlError &&
        e.message === `the installer bundle ${other} has no harbor/ha/registry.sql: it is not a Harbor 1.4/1.5 offline installer` &&
        /database\.registry_sql/.test((e as RegistrySqlError).hint ?? ""),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("database.registry_sql: the operator's file, with its path in the error when unreadable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-sql-"));
  try {
    const path = join(dir, "registry.sql");
    writeFileSync(path, readBundleMember("1.4.0", "harbor/ha/registry.sql"));
    assert.equal((await readRegistrySql({ from: "file", path })).parsed.versionMarker, "1.4.0");
    await assert.rejects(readRegistrySql({ from: "file", path: join(dir, "nope.sql") }), /cannot read registry\.sql at .*nope\.sql/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The schema migrations core applies, read from Harbor's own file names. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { lastMigrationVersion, parseMigrationFiles, pendingMigrations } from "../../../../src/plan/upgrade/migrations.js";

// The end of 2.15.2's make/migrations/postgresql as its archive lists it, out of order, with LICENSE.
const NAMES = [
  "./LICENSE",
  "./migrations/",
  "./migrations/0180_2.15.0_schema.up.sql",
  "./migrations/0160_2.13.0_schema.up.sql",
  "./migrations/0170_2.14.0_schema.up.sql",
  "./migrations/0171_2.14.1_schema.up.sql",
  "./migrations/0003_add_replication_op_uuid.up.sql",
];

test("the .up.sql files in version order; other files left out", () => {
  assert.deepEqual(
    parseMigrationFiles(NAMES).map((m) => m.version),
    [3, 160, 170, 171, 180],
  );
  assert.equal(parseMigrationFiles(NAMES)[0]?.file, "0003_add_replication_op_uuid.up.sql");
});

test("a 2.13.4 schema (160) gets 2.14.0, 2.14.1 and 2.15.0's migrations and ends at 180", () => {
  const all = parseMigrationFiles(NAMES);
  assert.deepEqual(
    pendingMigrations(all, 160).map((m) => m.file),
    ["0170_2.14.0_schema.up.sql", "0171_2.14.1_schema.up.sql", "0180_2.15.0_schema.up.sql"],
  );
  assert.equal(lastMigrationVersion(all), 180);
  assert.deepEqual(pendingMigrations(all, 180), [], "a patch upgrade without a new migration runs none");
});

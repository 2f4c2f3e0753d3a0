import { test } from "node:test";
import assert from "node:assert/strict";
import { planDatabase, schemaVersionMatches } from "../../../src/db/plan.js";
import type { DatabaseFacts } from "../../../src/db/facts.js";
import type { ParsedRegistrySql } from "../../../src/db/registry-sql.js";
import type { DesiredRegistrySql } from "../../../src/desired/types.js";
import { Secret } from "../../../src/inventory/secret.js";

const desired: DesiredRegistrySql = {
  engine: "mariadb",
  password: new Secret("pw", "database.password"),
  host: "10.20.0.31",
  port: 3306,
  user: "harbor",
  database: "registry",
  registrySql: { from: "file", path: "/inv/registry.sql" },
  harborVersion: "1.4.0",
};

const TABLES = ["access", "role", "user", "project", "project_member", "alembic_version"];

function sql(over: Partial<ParsedRegistrySql> = {}): ParsedRegistrySql {
  return { database: "registry", tables: TABLES, versionMarker: "1.4.0", dropsDatabase: true, createsDatabase: true, statementCount: 12, ...over };
}

function facts(over: Partial<DatabaseFacts> = {}): DatabaseFacts {
  return { serverVersion: "10.11.6-MariaDB", registryExists: true, tables: [], rowCounts: {}, ...over };
}

const harborSchema = (over: Partial<DatabaseFacts> = {}) =>
  facts({
    tables: [...TABLES].sort(),
    versionMarker: "1.4.0",
    rowCounts: { access: 5, role: 3, user: 7, project: 4, project_member: 0, alembic_version: 1 },
    ...over,
  });

const noFlag = { reinitialize: false };

test("no registry database: load", () => {
  const plan = planDatabase(desired, sql(), facts({ registryExists: false }), noFlag);
  assert.equal(plan.action, "load");
  assert.match(plan.reason, /does not exist/);
  assert.deepEqual(plan.warnings, []);
});

test("an empty registry database: load", () => {
  const plan = planDatabase(desired, sql(), facts(), noFlag);
  assert.equal(plan.action, "load");
  assert.match(plan.reason, /exists and is empty/);
});

test("Harbor's schema present: skip, and say why", () => {
  const plan = planDatabase(desired, sql(), harborSchema(), noFlag);
  assert.equal(plan.action, "skip");
  assert.equal(plan.reason, "registry database already holds Harbor's schema (6 tables, version 1.4.0); registry.sql not loaded — it would drop it");
  assert.deepEqual(plan.warnings, []);
});

test("Harbor's schema present and re-initialise asked: reinitialize, with the row counts", () => {
  const plan = planDatabase(desired, sql(), harborSchema(), { reinitialize: true });
  assert.equal(plan.action, "reinitialize");
  assert.match(plan.reason, /DROPS 6 tables holding 20 rows/);
  assert.match(plan.reason, /user: 7/);
  assert.match(plan.reason, /project: 4/);
  assert.doesNotMatch(plan.reason, /project_member/, "empty tables are not listed");
});

test("the flag changes nothing when there is nothing to lose", () => {
  assert.equal(planDatabase(desired, sql(), facts({ registryExists: false }), { reinitialize: true }).action, "load");
});

test("registry.sql of another Harbor release: refuse, whatever the database holds", () => {
  for (const f of [facts({ registryExists: false }), harborSchema()]) {
    const plan = planDatabase(desired, sql({ versionMarker: "1.3.0" }), f, { reinitialize: true });
    assert.equal(plan.action, "refuse");
    assert.match(
      plan.reason,
      /^\/inv\/registry\.sql is the schema of Harbor 1\.3\.0, but the inventory installs Harbor 1\.4\.0: wrong registry\.sql .*leave database\.registry_sql out/,
    );
  }
});

test("registry.sql read from the installer bundle of another release: the message names the bundle and what to fix", () => {
  const fromBundle: DesiredRegistrySql = {
    ...desired,
    registrySql: { from: "bundle", bundle: "/inv/harbor-offline-installer-v1.5.4.tgz", member: "harbor/ha/registry.sql" },
  };
  const plan = planDatabase(fromBundle, sql({ versionMarker: "1.5.0" }), facts({ registryExists: false }), { reinitialize: false });
  assert.equal(plan.action, "refuse");
  assert.equal(
    plan.reason,
    "harbor/ha/registry.sql in /inv/harbor-offline-installer-v1.5.4.tgz is the schema of Harbor 1.5.0, but the inventory installs Harbor 1.4.0: wrong registry.sql for this Harbor (installer.bundle is another release's installer: point it at Harbor 1.4.0's offline installer, or correct cluster.harbor_version)",
  );
});

test("an existing schema of another version: refuse, migrate first — even with the flag", () => {
  for (const reinitialize of [false, true]) {
    const plan = planDatabase(desired, sql(), harborSchema({ versionMarker: "1.3.0" }), { reinitialize });
    assert.equal(plan.action, "refuse");
    assert.match(plan.reason, /version 1\.3\.0.*migrate with Harbor's migrator first/);
  }
});

test("a registry database holding only unknown tables: refuse", () => {
  const plan = planDatabase(desired, sql(), facts({ tables: ["invoices", "customers"], rowCounts: { invoices: 3, customers: 1 } }), {
    reinitialize: true,
  });
  assert.equal(plan.action, "refuse");
  assert.match(plan.reason, /2 table\(s\) that are not Harbor's \(invoices, customers\)/);
});

test("a file for another database: refuse", () => {
  const plan = planDatabase(desired, sql({ database: "harbor" }), facts({ registryExists: false }), noFlag);
  assert.equal(plan.action, "refuse");
  assert.match(plan.reason, /creates database 'harbor', not 'registry'/);
});

test("no version marker in the file: load, with a warning", () => {
  const plan = planDatabase(desired, sql({ versionMarker: undefined }), facts({ registryExists: false }), noFlag);
  assert.equal(plan.action, "load");
  assert.match(plan.warnings.join("\n"), /no alembic_version marker/);
});

test("a half-loaded schema (Harbor's tables partly missing): refused, naming the missing tables and the flag", () => {
  const partial = facts({ tables: ["access", "role", "user"], rowCounts: { access: 5, role: 3, user: 0 } });
  const plan = planDatabase(desired, sql(), partial, noFlag);
  assert.equal(plan.action, "refuse");
  assert.match(plan.reason, /lacks 3 of registry\.sql's tables \(project, project_member, alembic_version\)/);
  assert.match(plan.reason, /--reinitialize-database-destroying-all-data=<cluster\.name>/);
  assert.match(plan.warnings.join("\n"), /no alembic_version marker/);
  const withMarker = planDatabase(desired, sql(), harborSchema({ tables: ["access", "alembic_version", "role", "user"] }), noFlag);
  assert.equal(withMarker.action, "refuse");
  assert.match(withMarker.reason, /lacks 2 of registry\.sql's tables \(project, project_member\)/);
});

test("a half-loaded schema with the re-initialise flag: reinitialize", () => {
  const partial = facts({ tables: ["access", "role", "user"], rowCounts: { access: 5, role: 3, user: 0 } });
  assert.equal(planDatabase(desired, sql(), partial, { reinitialize: true }).action, "reinitialize");
});

test("extra tables beside Harbor's are named in a warning", () => {
  const plan = planDatabase(desired, sql(), harborSchema({ tables: [...TABLES, "my_audit"] }), noFlag);
  assert.equal(plan.action, "skip");
  assert.match(plan.warnings.join("\n"), /does not create: my_audit/);
});

test("table names compare without regard to case", () => {
  const plan = planDatabase(desired, sql(), harborSchema({ tables: TABLES.map((t) => t.toUpperCase()) }), noFlag);
  assert.equal(plan.action, "skip");
  assert.deepEqual(plan.warnings, []);
});

test("schema versions match on major.minor: 1.4.x releases share the 1.4.0 schema", () => {
  assert.equal(schemaVersionMatches("1.4.0", "1.4.0"), true);
  assert.equal(schemaVersionMatches("1.4.0", "1.4.3"), true);
  assert.equal(schemaVersionMatches("1.3.0", "1.4.0"), false);
  assert.equal(schemaVersionMatches("1.5.0", "1.4.0"), false);
  assert.equal(schemaVersionMatches("garbage", "1.4.0"), false);
});

test("Harbor 1.4 installed with another database connection than the inventory's: refused, naming each difference", () => {
  const recorded = { mysql_host: "10.20.0.30", mysql_port: "3306", mysql_username: "harbor" };
  const plan = planDatabase(desired, sql(), harborSchema({ harborConnection: recorded }), noFlag);
  assert.equal(plan.action, "refuse");
  assert.match(plan.reason, /db_host: Harbor uses 10\.20\.0\.30, the inventory says 10\.20\.0\.31/);
  assert.doesNotMatch(plan.reason, /db_port: |db_user: /);
  assert.match(plan.reason, /reach only its adminserver/);
});

test("Harbor 1.4 with the inventory's own connection recorded: skip as usual", () => {
  const recorded = { mysql_host: "10.20.0.31", mysql_port: "3306", mysql_username: "harbor" };
  assert.equal(planDatabase(desired, sql(), harborSchema({ harborConnection: recorded }), noFlag).action, "skip");
});

test("Harbor 1.5 re-reads the connection at every start: a different recorded one is no reason to refuse", () => {
  const recorded = { mysql_host: "10.20.0.30", mysql_port: "3307", mysql_username: "old" };
  const plan = planDatabase(
    { ...desired, harborVersion: "1.5.4" },
    sql({ versionMarker: "1.5.0" }),
    harborSchema({ versionMarker: "1.5.0", harborConnection: recorded }),
    noFlag,
  );
  assert.equal(plan.action, "skip");
});

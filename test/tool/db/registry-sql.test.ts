import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRegistrySql, splitSqlStatements } from "../../../src/db/registry-sql.js";
import { RegistrySqlError } from "../../../src/db/errors.js";
import { readBundleMember } from "../../support/harbor-bundles.js";

/** What Harbor's own ha/registry.sql creates, per release (read from the installers in ../shared/harbor/). */
const HARBOR_14_TABLES = [
  "access",
  "role",
  "user",
  "project",
  "project_member",
  "project_metadata",
  "access_log",
  "repository",
  "replication_policy",
  "replication_target",
  "replication_job",
  "replication_immediate_trigger",
  "img_scan_job",
  "img_scan_overview",
  "clair_vuln_timestamp",
  "properties",
  "alembic_version",
];
const HARBOR_15_TABLES = [
  ...HARBOR_14_TABLES.slice(0, 6),
  "user_group",
  ...HARBOR_14_TABLES.slice(6, -1),
  "harbor_label",
  "harbor_resource_label",
  "alembic_version",
];

for (const [version, tables, marker] of [
  ["1.4.0", HARBOR_14_TABLES, "1.4.0"],
  ["1.5.4", HARBOR_15_TABLES, "1.5.0"],
] as const) {
  test(`Harbor ${version}'s own ha/registry.sql parses: ${tables.length} tables, marked ${marker}`, () => {
    const parsed = parseRegistrySql(readBundleMember(version, "harbor/ha/registry.sql"));
    assert.equal(parsed.database, "registry");
    assert.equal(parsed.dropsDatabase, true);
    assert.equal(parsed.createsDatabase, true);
    assert.equal(parsed.versionMarker, marker);
    assert.deepEqual(parsed.tables, tables);
    assert.ok(parsed.statementCount > parsed.tables.length);
  });
}

test("comments of every kind are ignored, quoted text is kept whole", () => {
  const text = [
    "# a hash comment; with a semicolon",
    "-- a dash comment; create table not_a_table (x int);",
    "/* a block comment; create table nor_this (x int); */",
    "DROP DATABASE IF EXISTS `registry`;",
    "CREATE DATABASE registry CHARSET = utf8;",
    "USE registry;",
    "create table t1 (a varchar(10) default 'x;y', b varchar(3) default '#', c int) # trailing",
    ";",
    "insert into t1 values ('it''s; fine', 'a\\';b', 1);",
    "Create Table IF NOT EXISTS `T2` (x int); /*!40101 create table t3 (y int) */;",
    'INSERT INTO `alembic_version` (version_num) VALUES ("1.4.0");',
  ].join("\n");
  const parsed = parseRegistrySql(text);
  assert.deepEqual(parsed.tables, ["t1", "t2", "t3"]);
  assert.equal(parsed.versionMarker, "1.4.0");
  assert.equal(parsed.dropsDatabase, true);
  assert.equal(splitSqlStatements(text).length, 8);
});

test("a '--' not followed by a space is an operator, not a comment", () => {
  assert.deepEqual(splitSqlStatements("select 1--1; select 2"), ["select 1--1", "select 2"]);
});

test("a file that only uses the database neither drops nor creates it", () => {
  const parsed = parseRegistrySql("use registry; create table access (id int); insert into alembic_version values ('1.5.0');");
  assert.equal(parsed.database, "registry");
  assert.equal(parsed.dropsDatabase, false);
  assert.equal(parsed.createsDatabase, false);
  assert.equal(parsed.versionMarker, "1.5.0");
});

test("dropping another database does not count as dropping this one", () => {
  const parsed = parseRegistrySql("drop database if exists other; create database registry; create table a (x int);");
  assert.equal(parsed.dropsDatabase, false);
  assert.equal(parsed.versionMarker, undefined);
});

test("a text that names no database or creates no table is refused with the file name", () => {
  assert.throws(
    () => parseRegistrySql("create table a (x int);", "/tmp/x.sql"),
    (err: unknown) => {
      assert.ok(err instanceof RegistrySqlError);
      assert.match(err.message, /^\/tmp\/x\.sql names no database/);
      assert.match(err.hint ?? "", /ha\/registry\.sql/);
      return true;
    },
  );
  assert.throws(() => parseRegistrySql("create database registry; -- create table a (x int);"), /creates no table/);
});

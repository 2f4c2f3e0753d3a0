/**
 * The Harbor 2.x database step over a fake PostgreSQL (behind PgConnector): what it creates,
 * what it refuses and with which words, and that it never issues anything but reads and
 * CREATE DATABASE. The real server is exercised by test/e2e/harbor2-database.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ensureHarbor2Database, quoteIdentifier } from "../../../../src/db/pg/apply.js";
import { Harbor2DatabaseRefusedError } from "../../../../src/db/pg/plan.js";
import type { PgConnector, PgSession, PgTarget } from "../../../../src/db/pg/session.js";

interface FakeDatabase {
  /** golang-migrate's table: absent, empty, or its one row. */
  migrations?: { version: number; dirty: boolean } | "empty-table";
}

/** A server with these databases; it answers only the statements the step may send, and records every one. */
function fakeServer(databases: Record<string, FakeDatabase>) {
  const log: Array<{ database: string; sql: string }> = [];
  const connect: PgConnector = async (database) => {
    if (!(database in databases)) throw Object.assign(new Error(`database "${database}" does not exist`), { code: "3D000" });
    const session: PgSession = {
      async query<Row extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
        log.push({ database, sql });
        const db = databases[database] ?? {};
        if (sql.includes("FROM pg_database")) return [{ exists: String(params[0]) in databases } as unknown as Row];
        if (sql.includes("to_regclass")) return [{ name: db.migrations === undefined ? null : "schema_migrations" } as unknown as Row];
        if (sql.startsWith("SELECT version, dirty FROM schema_migrations")) {
          return db.migrations === undefined || db.migrations === "empty-table"
            ? []
            : [{ version: String(db.migrations.version), dirty: db.migrations.dirty } as unknown as Row];
        }
        const create = /^CREATE DATABASE "(.+)"$/.exec(sql);
        if (create && database === "postgres") {
          databases[create[1] ?? ""] = {};
          return [];
        }
        throw new Error(`the fake server does not know: ${sql}`);
      },
      end: async () => undefined,
    };
    return session;
  };
  return { connect, log, databases };
}

const target: PgTarget = { host: "10.20.0.31", port: 5432, user: "harbor", database: "registry" };

function onlyReadsAndCreate(log: Array<{ sql: string }>): void {
  for (const { sql } of log) assert.match(sql, /^(SELECT |CREATE DATABASE )/, sql);
}

describe("Harbor 2.x database step", () => {
  it("a missing database without database.create: refused, exit 2, nothing created", async () => {
    const server = fakeServer({ postgres: {} });
    await assert.rejects(ensureHarbor2Database(server.connect, target, { allowCreate: false, dryRun: false }), (e: unknown) => {
      assert.ok(e instanceof Harbor2DatabaseRefusedError);
      assert.equal(e.message, 'database "registry" on PostgreSQL 10.20.0.31:5432 (user harbor) does not exist');
      assert.match(e.hint ?? "", /CREATE DATABASE "registry" OWNER "harbor"/);
      assert.match(e.hint ?? "", /database\.create: true/);
      assert.equal(e.exitCode, 2);
      return true;
    });
    assert.deepEqual(Object.keys(server.databases), ["postgres"]);
    onlyReadsAndCreate(server.log);
  });

  it("a missing database with database.create: created empty, once; dry-run creates nothing", async () => {
    const server = fakeServer({ postgres: {} });
    const dry = await ensureHarbor2Database(server.connect, target, { allowCreate: true, dryRun: true });
    assert.equal(dry.plan.action, "create");
    assert.deepEqual(Object.keys(server.databases), ["postgres"]);
    const run = await ensureHarbor2Database(server.connect, target, { allowCreate: true, dryRun: false });
    assert.equal(run.plan.action, "create");
    assert.deepEqual(Object.keys(server.databases).sort(), ["postgres", "registry"]);
    const again = await ensureHarbor2Database(server.connect, target, { allowCreate: true, dryRun: false });
    assert.deepEqual(again.before, { state: "empty" });
    assert.equal(again.plan.action, "none");
    assert.equal(server.log.filter((l) => l.sql.startsWith("CREATE")).length, 1);
    onlyReadsAndCreate(server.log);
  });

  it("an existing database: empty or migrated is fine and left alone", async () => {
    for (const [db, expected] of [
      [{}, { state: "empty" }],
      [{ migrations: "empty-table" }, { state: "empty" }],
      [{ migrations: { version: 170, dirty: false } }, { state: "migrated", version: 170, dirty: false }],
    ] as const) {
      const server = fakeServer({ postgres: {}, registry: db as FakeDatabase });
      const out = await ensureHarbor2Database(server.connect, target, { allowCreate: true, dryRun: false });
      assert.deepEqual(out.before, expected);
      assert.equal(out.plan.action, "none");
      onlyReadsAndCreate(server.log);
    }
  });

  it("a schema left dirty by a failed migration: refused with its version and what to do", async () => {
    const server = fakeServer({ postgres: {}, registry: { migrations: { version: 171, dirty: true } } });
    await assert.rejects(ensureHarbor2Database(server.connect, target, { allowCreate: true, dryRun: false }), (e: unknown) => {
      assert.ok(e instanceof Harbor2DatabaseRefusedError);
      assert.match(e.message, /a failed migration left the schema dirty at version 171 \(schema_migrations\.dirty = true\)/);
      assert.match(e.hint ?? "", /Restore the database from the backup/);
      return true;
    });
    onlyReadsAndCreate(server.log);
  });

  it("quotes a database name as PostgreSQL does", () => {
    assert.equal(quoteIdentifier('har"bor'), '"har""bor"');
  });
});

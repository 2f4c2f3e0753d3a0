/**
 * The database step against a real MariaDB started by the test: load, skip, keep data,
 * re-initialise, refuse, and the operator's messages on failure.
 */
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { applyDatabasePlan } from "../../src/db/apply.js";
import { checkDatabaseAccess } from "../../src/db/access.js";
import { openDatabaseConnection } from "../../src/db/connection.js";
import type { DbConnectOptions, DbConnection } from "../../src/db/connection.js";
import { DatabaseAccessError, DatabaseRefusedError, DatabaseUnreachableError } from "../../src/db/errors.js";
import { gatherDatabaseFacts } from "../../src/db/facts.js";
import { planDatabase } from "../../src/db/plan.js";
import type { DatabasePlan } from "../../src/db/plan.js";
import { readRegistrySql } from "../../src/db/read-registry-sql.js";
import type { RegistrySqlFile } from "../../src/db/read-registry-sql.js";
import { Secret } from "../../src/inventory/secret.js";
import type { DesiredRegistrySql, RegistrySqlSource } from "../../src/desired/types.js";
import { harborBundlePath } from "../support/harbor-bundles.js";
import { freePort, startMariaDb } from "./helpers/mariadb.js";
import type { MariaDbServer } from "./helpers/mariadb.js";

const PASSWORD = "Harbor-e2e-S3cret!pw";
/** Harbor 1.4.0's own ha/registry.sql, read out of its offline installer as provision does. */
const SOURCE: RegistrySqlSource = { from: "bundle", bundle: harborBundlePath("1.4.0"), member: "harbor/ha/registry.sql" };
let db: MariaDbServer;
let file: RegistrySqlFile;

function options(over: Partial<DbConnectOptions> = {}): DbConnectOptions {
  return { host: db.host, port: db.port, user: "harbor", password: new Secret(PASSWORD), connectTimeoutMs: 5000, ...over };
}

function desired(harborVersion = "1.4.0"): DesiredRegistrySql {
  return {
    engine: "mariadb",
    host: db.host,
    port: db.port,
    user: "harbor",
    password: new Secret(PASSWORD),
    database: "registry",
    registrySql: SOURCE,
    harborVersion,
  };
}

/** One provision's database step: connect, gather, plan, apply. */
async function runDatabaseStep(opts: { reinitialize?: boolean; harborVersion?: string; connect?: Partial<DbConnectOptions> } = {}) {
  const conn = await openDatabaseConnection(options(opts.connect));
  try {
    const facts = await gatherDatabaseFacts(conn);
    const plan = planDatabase(desired(opts.harborVersion), file.parsed, facts, { reinitialize: opts.reinitialize ?? false });
    try {
      return { plan, result: await applyDatabasePlan(conn, plan, file.text), error: undefined };
    } catch (error) {
      return { plan, result: undefined, error };
    }
  } finally {
    await conn.end();
  }
}

async function dump(table: string): Promise<string> {
  return db.admin(`SELECT * FROM registry.\`${table}\` ORDER BY 1`);
}

before(async () => {
  file = await readRegistrySql(SOURCE);
  db = await startMariaDb();
  await db.admin(
    `CREATE USER 'harbor'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';
     GRANT ALL PRIVILEGES ON registry.* TO 'harbor'@'127.0.0.1';
     CREATE USER 'limited'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';
     GRANT CREATE ON registry.* TO 'limited'@'127.0.0.1';`,
  );
});

after(async () => {
  await db?.stop();
});

beforeEach(async () => {
  await db.admin("DROP DATABASE IF EXISTS registry");
});

describe("loading registry.sql", () => {
  test("a fresh load creates every table of the file and the version marker, from the file as shipped", async () => {
    const { plan, result, error } = await runDatabaseStep();
    assert.equal(plan.action, "load");
    assert.equal(error, undefined);
    assert.equal(result?.changed, true);
    const tables = (await db.admin("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'registry'")).trim().split("\n");
    assert.deepEqual([...tables].sort(), [...file.parsed.tables].sort());
    assert.equal(file.parsed.tables.length, 17, "Harbor 1.4.0's registry.sql creates 17 tables");
    assert.equal((await dump("alembic_version")).trim(), "1.4.0");
    assert.match(await db.admin("SELECT name FROM registry.project"), /^library$/m);
    // Harbor's file has `#` comments inside its create table statements and multi-row seed inserts: all came through.
    assert.match(await db.admin("SELECT comment FROM registry.user WHERE username = 'admin'"), /^admin user$/m);
    assert.equal((await db.admin("SELECT count(*) FROM registry.access")).trim(), "5");
  });

  test("a second run skips, says why, and loads nothing; rows in user and project survive unchanged", async () => {
    await runDatabaseStep();
    await db.admin(
      `INSERT INTO registry.user (username, email, password, realname, sysadmin_flag) VALUES ('alice', 'alice@example.com', 'x', 'Alice', 0);
       INSERT INTO registry.project (owner_id, name) VALUES (3, 'team-a');`,
    );
    const before = { user: await dump("user"), project: await dump("project"), role: await dump("role") };

    for (let run = 0; run < 2; run++) {
      const { plan, result, error } = await runDatabaseStep();
      assert.equal(plan.action, "skip");
      assert.match(
        plan.reason,
        /^registry database already holds Harbor's schema \(\d+ tables, version 1\.4\.0\); registry\.sql not loaded — it would drop it$/,
      );
      assert.equal(error, undefined);
      assert.equal(result?.changed, false);
    }
    assert.deepEqual({ user: await dump("user"), project: await dump("project"), role: await dump("role") }, before);
    assert.match(before.project, /team-a/);
  });

  test("re-initialise shows the row counts, then drops and reloads", async () => {
    await runDatabaseStep();
    await db.admin("INSERT INTO registry.project (owner_id, name) VALUES (1, 'doomed')");
    const { plan, result, error } = await runDatabaseStep({ reinitialize: true });
    assert.equal(plan.action, "reinitialize");
    assert.match(plan.reason, /DROPS \d+ tables holding \d+ rows/);
    assert.match(plan.reason, /project: 2/);
    assert.match(plan.reason, /user: 2/);
    assert.equal(error, undefined);
    assert.equal(result?.changed, true);
    assert.doesNotMatch(await dump("project"), /doomed/);
    assert.equal((await dump("alembic_version")).trim(), "1.4.0");
  });

  test("a schema of another Harbor version is refused and left untouched", async () => {
    await runDatabaseStep();
    await db.admin("UPDATE registry.alembic_version SET version_num = '1.3.0'; INSERT INTO registry.project (owner_id, name) VALUES (1, 'kept')");
    const { plan, error } = await runDatabaseStep({ reinitialize: true });
    assert.equal(plan.action, "refuse");
    assert.match(plan.reason, /migrate with Harbor's migrator first/);
    assert.ok(error instanceof DatabaseRefusedError);
    assert.match(await dump("project"), /kept/);
  });

  test("a registry.sql for another Harbor release is refused before anything is created", async () => {
    const { plan, error } = await runDatabaseStep({ harborVersion: "1.5.0" });
    assert.equal(plan.action, "refuse");
    assert.match(plan.reason, /wrong registry\.sql for this Harbor/);
    assert.ok(error instanceof DatabaseRefusedError);
    assert.equal((await db.admin("SHOW DATABASES LIKE 'registry'")).trim(), "");
  });

  test("a registry database with foreign tables is refused; an empty one is loaded", async () => {
    await db.admin("CREATE DATABASE registry; CREATE TABLE registry.invoices (id int); INSERT INTO registry.invoices VALUES (7)");
    const refused = await runDatabaseStep({ reinitialize: true });
    assert.equal(refused.plan.action, "refuse");
    assert.match(refused.plan.reason, /not Harbor's \(invoices\)/);
    assert.equal((await dump("invoices")).trim(), "7");

    await db.admin("DROP TABLE registry.invoices");
    const loaded = await runDatabaseStep();
    assert.equal(loaded.plan.action, "load");
    assert.match(loaded.plan.reason, /exists and is empty/);
    assert.equal(loaded.error, undefined);
    assert.equal(loaded.result?.changed, true);
  });

  test("a load planned on an absent database does not run if tables appeared meanwhile", async () => {
    const conn: DbConnection = await openDatabaseConnection(options());
    try {
      const plan: DatabasePlan = planDatabase(desired(), file.parsed, await gatherDatabaseFacts(conn), { reinitialize: false });
      assert.equal(plan.action, "load");
      await db.admin("CREATE DATABASE registry; CREATE TABLE registry.user (id int); INSERT INTO registry.user VALUES (42)");
      await assert.rejects(applyDatabasePlan(conn, plan, file.text), DatabaseRefusedError);
    } finally {
      await conn.end();
    }
    assert.equal((await dump("user")).trim(), "42");
  });

  test("the load works over a caller's stream, as through an SSH tunnel", async () => {
    const openStream = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(db.port, db.host, () => resolve(s));
        s.once("error", reject);
      });
    const { plan, error } = await runDatabaseStep({ connect: { host: "db.behind.tunnel", openStream, via: "harbor1" } });
    assert.equal(plan.action, "load");
    assert.equal(error, undefined);
    assert.equal((await dump("alembic_version")).trim(), "1.4.0");
  });
});

describe("preflight access check", () => {
  test("the harbor user may connect and create the registry database", async () => {
    const report = await checkDatabaseAccess(options());
    assert.equal(report.registryExists, false);
    assert.match(report.serverVersion, /MariaDB/);
    assert.deepEqual(report.warnings, []);
  });

  test("a wrong password gives a clear message without any password", async () => {
    const wrong = "Wrong-pw-for-harbor-123";
    const err = await checkDatabaseAccess(options({ password: new Secret(wrong) })).catch((e: unknown) => e);
    assert.ok(err instanceof DatabaseAccessError, String(err));
    assert.match(err.message, new RegExp(`^MariaDB at 127\\.0\\.0\\.1:${db.port} refused user 'harbor' \\(wrong password or host not allowed\\)`));
    const everything = `${err.message}\n${err.hint ?? ""}\n${err.stack ?? ""}`;
    assert.ok(!everything.includes(wrong) && !everything.includes(PASSWORD));
  });

  test("nothing listening gives ECONNREFUSED with host and port", async () => {
    const port = await freePort();
    const err = await checkDatabaseAccess(options({ port })).catch((e: unknown) => e);
    assert.ok(err instanceof DatabaseUnreachableError, String(err));
    assert.match(err.message, new RegExp(`^cannot reach MariaDB at 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  });

  test("a server that never answers the handshake gives a timeout with host and port", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((sock) => {
      sockets.push(sock.on("error", () => undefined));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const err = await checkDatabaseAccess(options({ port, connectTimeoutMs: 300 })).catch((e: unknown) => e);
      assert.ok(err instanceof DatabaseUnreachableError, String(err));
      assert.match(err.message, new RegExp(`^cannot reach MariaDB at 127\\.0\\.0\\.1:${port}: timeout after 300 ms`));
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a tunnel that cannot open names the tunnel host", async () => {
    const openStream = () => Promise.reject(new Error("channel open failure"));
    const err = await checkDatabaseAccess(options({ openStream, via: "harbor1" })).catch((e: unknown) => e);
    assert.ok(err instanceof DatabaseUnreachableError, String(err));
    assert.match(err.message, /cannot open the tunnel to MariaDB at .* via harbor1\): channel open failure/);
  });

  test("a user who may not create the database is stopped in preflight, with the missing privileges", async () => {
    const err = await checkDatabaseAccess(options({ user: "limited" })).catch((e: unknown) => e);
    assert.ok(err instanceof DatabaseAccessError, String(err));
    assert.match(
      err.message,
      /user 'limited' in, but database 'registry' does not exist and the user may not create it: missing DROP, INSERT, SELECT on registry\.\*/,
    );
    assert.match(err.hint ?? "", /GRANT ALL PRIVILEGES ON `registry`\.\* TO 'limited'@'127\.0\.0\.1'/);
    assert.ok(!`${err.message}${err.hint}`.includes(PASSWORD));
  });
});

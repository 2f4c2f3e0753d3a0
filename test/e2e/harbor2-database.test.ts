/**
 * The Harbor 2.x database step against the lab's real PostgreSQL (`lab.sh up --harbor-version
 * 2.15`: a `harbor` role that may create databases, and no `registry` database): refused
 * without database.create, created empty with it, a wrong password and a dirty schema reported
 * with what to do, and nothing dropped along the way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureHarbor2Database } from "../../src/db/pg/apply.js";
import { Harbor2DatabaseAccessError, pgConnector } from "../../src/db/pg/connect.js";
import { Harbor2DatabaseRefusedError } from "../../src/db/pg/plan.js";
import type { PgTarget } from "../../src/db/pg/session.js";
import { Secret } from "../../src/inventory/secret.js";
import { labDown, labLeftovers, labUp, type Lab } from "./helpers/lab.js";

let lab: Lab;
let pids: number[] = [];

describe("Harbor 2.x database step on the lab's PostgreSQL", { timeout: 600_000 }, () => {
  let target: PgTarget;
  let password: Secret;
  before(async () => {
    lab = await labUp({ lbs: 1, nodes: 2, protocol: "https", harborVersion: "2.15" });
    pids = lab.hosts.flatMap((h) => [h.pid, h.initPid]);
    target = { host: lab.host("db").address, port: lab.database.port, user: "harbor", database: "registry" };
    password = new Secret(lab.secret("db-password"));
  });
  after(async () => {
    await labDown();
    assert.deepEqual(labLeftovers(pids), [], "the lab left something behind");
  });

  const psql = async (sql: string, database = "registry") => {
    const r = await lab.sshRun("db", `runuser -u postgres -- psql -X -q -At -d ${database} -v ON_ERROR_STOP=1 -c ${JSON.stringify(sql)}`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  it("a wrong password: the server refused the user, with what to check", async () => {
    const connect = pgConnector(target, new Secret("not-the-password"), "disable");
    await assert.rejects(ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: false }), (e: unknown) => {
      assert.ok(e instanceof Harbor2DatabaseAccessError, String(e));
      assert.match(e.message, /PostgreSQL .*:\d+ \(user harbor\), database "postgres": the server refused the user/);
      assert.doesNotMatch(e.message, /not-the-password/);
      return true;
    });
  });

  it("no registry database, no database.create: refused, nothing created", async () => {
    const connect = pgConnector(target, password, "disable");
    await assert.rejects(ensureHarbor2Database(connect, target, { allowCreate: false, dryRun: false }), Harbor2DatabaseRefusedError);
    assert.equal(await psql("SELECT count(*) FROM pg_database WHERE datname = 'registry'", "postgres"), "0");
  });

  it("database.create: the empty database is created once, owned by harbor; a second run changes nothing", async () => {
    const connect = pgConnector(target, password, "disable");
    const dry = await ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: true });
    assert.equal(dry.plan.action, "create");
    assert.equal(await psql("SELECT count(*) FROM pg_database WHERE datname = 'registry'", "postgres"), "0", "dry-run created nothing");
    assert.equal((await ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: false })).plan.action, "create");
    assert.equal(await psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'registry'", "postgres"), "harbor");
    const again = await ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: false });
    assert.deepEqual([again.before, again.plan.action], [{ state: "empty" }, "none"]);
  });

  it("a schema a failed migration left dirty is refused with its version; once repaired it is accepted, nothing dropped", async () => {
    // golang-migrate's table, as Harbor's core leaves it after a failed migration.
    await psql(
      "SET ROLE harbor; CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (171, true); CREATE TABLE harbor_user (user_id int)",
    );
    const connect = pgConnector(target, password, "disable");
    await assert.rejects(ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: false }), (e: unknown) => {
      assert.ok(e instanceof Harbor2DatabaseRefusedError);
      assert.match(e.message, /dirty at version 171/);
      return true;
    });
    await psql("SET ROLE harbor; UPDATE schema_migrations SET dirty = false");
    const out = await ensureHarbor2Database(connect, target, { allowCreate: true, dryRun: false });
    assert.deepEqual(out.before, { state: "migrated", version: 171, dirty: false });
    assert.equal(await psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), "2", "both tables still there");
  });
});

/**
 * Executes a database plan: sends registry.sql to MariaDB exactly as shipped (one
 * multi-statement query, comments and all), under a server-side lock, after checking
 * once more that the database is still as the plan saw it.
 */
import type { RowDataPacket } from "mysql2/promise";
import type { DbConnection } from "./connection.js";
import { messageOf } from "./connection.js";
import { DatabaseLoadError, DatabaseRefusedError } from "./errors.js";
import { gatherDatabaseFacts } from "./facts.js";
import type { DatabasePlan } from "./plan.js";
import { parseRegistrySql } from "./registry-sql.js";
import type { ParsedRegistrySql } from "./registry-sql.js";

export interface DatabaseApplyResult {
  action: DatabasePlan["action"];
  changed: boolean;
  /** What happened, for the report. */
  message: string;
}

/** Two provision runs at once must not both load: the second waits, then sees the schema. */
const LOCK_TIMEOUT_S = 60;

export async function applyDatabasePlan(conn: DbConnection, plan: DatabasePlan, sqlText: string): Promise<DatabaseApplyResult> {
  if (plan.action === "skip") return { action: "skip", changed: false, message: plan.reason };
  if (plan.action === "refuse") {
    throw new DatabaseRefusedError(`registry.sql not loaded: ${plan.reason}`, {
      hint: "Nothing was changed in the database. Fix the cause above and run again.",
    });
  }
  const sql = parseRegistrySql(sqlText);
  const lockName = `harbor-ha:${sql.database}`;
  await takeLock(conn, lockName);
  try {
    await prepareDatabase(conn, plan, sql);
    await runRegistrySql(conn, sqlText);
    const tables = await verifyLoaded(conn, sql);
    const verb = plan.action === "reinitialize" ? "re-initialised" : "loaded";
    return {
      action: plan.action,
      changed: true,
      message:
        `registry.sql ${verb}: database '${sql.database}' holds ${tables} tables` + (sql.versionMarker ? `, version ${sql.versionMarker}` : ""),
    };
  } finally {
    await conn.query("SELECT RELEASE_LOCK(?)", [lockName]).catch(() => undefined);
  }
}

async function takeLock(conn: DbConnection, lockName: string): Promise<void> {
  const [rows] = await conn.query<RowDataPacket[]>("SELECT GET_LOCK(?, ?) AS got", [lockName, LOCK_TIMEOUT_S]);
  if (Number(rows[0]?.["got"]) !== 1) {
    throw new DatabaseLoadError(`another session holds the lock '${lockName}' on ${serverOf(conn)} for more than ${LOCK_TIMEOUT_S} s`, {
      hint: "Another harbor-ha run is probably loading the schema; wait for it to finish, then run again.",
    });
  }
}

/**
 * Re-reads the database under the lock: a 'load' planned on an absent or empty
 * database goes ahead only if that is still true. Then makes the database the file
 * expects to exist or not exist.
 */
async function prepareDatabase(conn: DbConnection, plan: DatabasePlan, sql: ParsedRegistrySql): Promise<void> {
  const facts = await gatherDatabaseFacts(conn, sql.database);
  if (plan.action === "load" && facts.tables.length > 0) {
    throw new DatabaseRefusedError(
      `registry.sql not loaded: database '${sql.database}' on ${serverOf(conn)} gained ${facts.tables.length} table(s) since the plan was made`,
      { hint: "Another run or person changed it meanwhile; nothing was changed. Run again to plan from the new state." },
    );
  }
  const db = conn.escapeId(sql.database);
  // Drop what the plan allows dropping (an empty database, or one the operator asked to
  // re-initialise) when the file will not drop it itself.
  if (facts.registryExists && (plan.action === "reinitialize" || !sql.dropsDatabase) && sql.createsDatabase) {
    await conn.query(`DROP DATABASE ${db}`);
  }
  if (!sql.createsDatabase) {
    if (plan.action === "reinitialize") await conn.query(`DROP DATABASE IF EXISTS ${db}`);
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8`);
    await conn.query(`USE ${db}`);
  }
}

async function runRegistrySql(conn: DbConnection, sqlText: string): Promise<void> {
  try {
    await conn.query(sqlText);
  } catch (err) {
    throw new DatabaseLoadError(`loading registry.sql into ${serverOf(conn)} failed: ${messageOf(err)}`, {
      hint: "The database may now hold part of the schema. Fix the cause, then run again with the re-initialise flag to load it whole.",
    });
  }
}

/** Every table the file creates exists now, and the version marker reads back. */
async function verifyLoaded(conn: DbConnection, sql: ParsedRegistrySql): Promise<number> {
  const facts = await gatherDatabaseFacts(conn, sql.database);
  const present = new Set(facts.tables.map((t) => t.toLowerCase()));
  const missing = sql.tables.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new DatabaseLoadError(
      `registry.sql ran on ${serverOf(conn)} but ${missing.length} table(s) are missing afterwards: ${missing.join(", ")}`,
      {
        hint: "Check the server's error log and the user's privileges on the registry database.",
      },
    );
  }
  if (sql.versionMarker !== undefined && facts.versionMarker !== sql.versionMarker) {
    throw new DatabaseLoadError(
      `registry.sql ran on ${serverOf(conn)} but alembic_version reads ${facts.versionMarker ?? "nothing"} instead of ${sql.versionMarker}`,
      { hint: "Check the server's error log; then run again with the re-initialise flag." },
    );
  }
  return facts.tables.length;
}

function serverOf(conn: DbConnection): string {
  const { host, port } = conn.config;
  return `MariaDB at ${host ?? "localhost"}:${port ?? 3306}`;
}

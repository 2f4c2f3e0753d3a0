/**
 * What harbor-ha needs to know about Harbor 2.x's database before installing: whether it
 * exists, and the state golang-migrate left in it. Read only: nothing here writes.
 */
import type { PgSession } from "./session.js";

/** golang-migrate's bookkeeping table; Harbor 2.x's core migrates its schema with it at start-up. */
export const MIGRATIONS_TABLE = "schema_migrations";

export type SchemaFacts =
  | { state: "missing" } // no such database
  | { state: "empty" } // the database exists, Harbor has not migrated it yet
  | { state: "migrated"; version: number; dirty: boolean };

export async function readDatabaseExists(maintenance: PgSession, database: string): Promise<boolean> {
  const rows = await maintenance.query<{ exists: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists", [database]);
  return rows[0]?.exists === true;
}

/** In the core database itself: golang-migrate's one row (version, dirty), if the table is there. */
export async function readSchemaState(core: PgSession): Promise<SchemaFacts> {
  const table = await core.query<{ name: string | null }>("SELECT to_regclass($1)::text AS name", [`public.${MIGRATIONS_TABLE}`]);
  if (table[0]?.name == null) return { state: "empty" };
  const rows = await core.query<{ version: string | number; dirty: boolean }>(`SELECT version, dirty FROM ${MIGRATIONS_TABLE} LIMIT 2`);
  const row = rows[0];
  // golang-migrate keeps one row; an empty table is what it leaves before its first migration.
  if (row === undefined) return { state: "empty" };
  return { state: "migrated", version: Number(row.version), dirty: row.dirty === true };
}

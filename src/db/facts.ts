/**
 * The observed state of the registry database, read-only: what planDatabase needs to
 * decide whether loading registry.sql is safe. Three small queries plus one for the
 * row counts, so the step stays quick through an SSH tunnel.
 */
import type { RowDataPacket } from "mysql2/promise";
import type { DbConnection } from "./connection.js";

export interface DatabaseFacts {
  /** SELECT VERSION(), e.g. "10.11.6-MariaDB-0+deb12u1". */
  serverVersion: string;
  registryExists: boolean;
  /** Tables and views in the registry database, as the server names them, sorted. */
  tables: string[];
  /** The version in alembic_version (Harbor's schema version), when that table has a row. */
  versionMarker?: string;
  /** Exact row count of every base table. */
  rowCounts: Record<string, number>;
  /**
   * The database connection Harbor's adminserver recorded in its `properties` table at first
   * start (mysql_host, mysql_port, mysql_username), when that table holds them. Harbor 1.4's
   * UI and job service connect with these, not with harbor.cfg's.
   */
  harborConnection?: Partial<Record<HarborConnectionKey, string>>;
}

export const HARBOR_CONNECTION_KEYS = ["mysql_host", "mysql_port", "mysql_username"] as const;
export type HarborConnectionKey = (typeof HARBOR_CONNECTION_KEYS)[number];

interface TableRow extends RowDataPacket {
  name: string;
  type: string;
}

/**
 * Reads the database's state. Note that MariaDB shows a user only the databases and
 * tables it holds some privilege on: a registry database the user cannot see is
 * reported absent, and loading then fails on its own privilege check, destroying nothing.
 */
export async function gatherDatabaseFacts(conn: DbConnection, database = "registry"): Promise<DatabaseFacts> {
  const [versionRows] = await conn.query<RowDataPacket[]>("SELECT VERSION() AS v");
  const serverVersion = String(versionRows[0]?.["v"] ?? "");
  const [schemaRows] = await conn.query<RowDataPacket[]>("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [
    database,
  ]);
  if (schemaRows.length === 0) return { serverVersion, registryExists: false, tables: [], rowCounts: {} };

  const [tableRows] = await conn.query<TableRow[]>(
    "SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
    [database],
  );
  const tables = tableRows.map((r) => String(r.name));
  const baseTables = tableRows.filter((r) => r.type === "BASE TABLE").map((r) => String(r.name));
  const facts: DatabaseFacts = {
    serverVersion,
    registryExists: true,
    tables,
    rowCounts: await countRows(conn, database, baseTables),
  };
  const propertiesTable = baseTables.find((t) => t.toLowerCase() === "properties");
  if (propertiesTable !== undefined) {
    const recorded = await readHarborConnection(conn, database, propertiesTable);
    if (Object.keys(recorded).length > 0) facts.harborConnection = recorded;
  }
  const markerTable = baseTables.find((t) => t.toLowerCase() === "alembic_version");
  if (markerTable !== undefined) {
    const marker = await readVersionMarker(conn, database, markerTable);
    if (marker !== undefined) facts.versionMarker = marker;
  }
  return facts;
}

/** COUNT(*) of every table in one round trip (exact: information_schema's TABLE_ROWS is an estimate for InnoDB). */
async function countRows(conn: DbConnection, database: string, tables: string[]): Promise<Record<string, number>> {
  if (tables.length === 0) return {};
  const db = conn.escapeId(database);
  const sql = tables.map((t) => `SELECT ${conn.escape(t)} AS name, COUNT(*) AS n FROM ${db}.${conn.escapeId(t)}`).join(" UNION ALL ");
  const [rows] = await conn.query<RowDataPacket[]>(sql);
  const counts: Record<string, number> = {};
  for (const r of rows) counts[String(r["name"])] = Number(r["n"]);
  return counts;
}

async function readVersionMarker(conn: DbConnection, database: string, table: string): Promise<string | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT version_num AS v FROM ${conn.escapeId(database)}.${conn.escapeId(table)} LIMIT 1`);
  const v = rows[0]?.["v"];
  return v === undefined || v === null ? undefined : String(v);
}

/** The connection settings Harbor's adminserver stored as rows k/v of its properties table. */
async function readHarborConnection(conn: DbConnection, database: string, table: string): Promise<Partial<Record<HarborConnectionKey, string>>> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT k, v FROM ${conn.escapeId(database)}.${conn.escapeId(table)} WHERE k IN (?)`, [
    HARBOR_CONNECTION_KEYS,
  ]);
  const out: Partial<Record<HarborConnectionKey, string>> = {};
  for (const r of rows) {
    const k = String(r["k"]) as HarborConnectionKey;
    if ((HARBOR_CONNECTION_KEYS as readonly string[]).includes(k)) out[k] = String(r["v"]);
  }
  return out;
}

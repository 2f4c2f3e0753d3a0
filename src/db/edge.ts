/**
 * The database phase: read registry.sql, check access, decide (pure planDatabase),
 * and load only when that is safe. Connects directly, or through an SSH tunnel via an
 * inventory host when database.tunnel_via is set.
 */
import type { Inventory } from "../inventory/model.js";
import { applyPostgres, preflightPostgres } from "./pg/edge.js";
import type { PostgresPreflight } from "./pg/edge.js";
import type { DesiredDatabase, DesiredRegistrySql } from "../desired/types.js";
import type { SshPool } from "../remote/pool.js";
import { checkDatabaseAccess } from "./access.js";
import { openDatabaseConnection } from "./connection.js";
import type { DbConnectOptions } from "./connection.js";
import { gatherDatabaseFacts } from "./facts.js";
import { planDatabase } from "./plan.js";
import type { DatabasePlan } from "./plan.js";
import { applyDatabasePlan } from "./apply.js";
import type { DatabaseApplyResult } from "./apply.js";
import { readInstallerBundleMember, readRegistrySql } from "./read-registry-sql.js";
import { readThroughBundleCache } from "../cache/bundle-cache.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import type { RegistrySqlFile } from "./read-registry-sql.js";
import type { DatabaseFacts } from "./facts.js";

/** Harbor 1.x: registry.sql into MariaDB. */
export interface MariaDbPreflight {
  engine: "mariadb";
  plan: DatabasePlan;
  facts: DatabaseFacts;
  sql: RegistrySqlFile;
  connect: DbConnectOptions;
}

/** What the database step found and decided, for either Harbor generation. */
export type DatabasePreflight = MariaDbPreflight | PostgresPreflight;

export function databaseConnectOptions(db: DesiredRegistrySql, pool: SshPool): DbConnectOptions {
  const base: DbConnectOptions = { host: db.host, port: db.port, user: db.user, password: db.password, connectTimeoutMs: 10_000 };
  if (!db.tunnelVia) return base;
  const via = db.tunnelVia;
  return { ...base, via, openStream: async () => (await pool.session(via)).openTunnel(db.host, db.port) };
}

/** Options of the preflight: `persist: false` (a dry run, status) keeps even the bundle cache as it is. */
export interface DatabasePreflightOptions {
  persist?: boolean;
}

/** Read-only: everything the database step needs to know, or a clear error. */
export async function preflightDatabase(
  inv: Inventory,
  desired: DesiredDatabase,
  pool: SshPool,
  reinitialize: boolean,
  opts: DatabasePreflightOptions = {},
): Promise<DatabasePreflight> {
  if (desired.engine === "postgresql") return preflightPostgres(desired, reinitialize);
  const sql = await readRegistrySql(desired.registrySql, (bundle, member) =>
    readThroughBundleCache(clusterStateDir(inv), bundle, member, () => readInstallerBundleMember(bundle, member), opts),
  );
  const connect = databaseConnectOptions(desired, pool);
  await checkDatabaseAccess({ ...connect, database: desired.database });
  const conn = await openDatabaseConnection({ ...connect, multipleStatements: false });
  try {
    const facts = await gatherDatabaseFacts(conn, desired.database);
    return { engine: "mariadb", plan: planDatabase(desired, sql.parsed, facts, { reinitialize }), facts, sql, connect };
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** The database as a run reaches it: the read-only preflight, then the load. */
export interface DatabaseEdge {
  preflight(
    inv: Inventory,
    desired: DesiredDatabase,
    pool: SshPool,
    reinitialize: boolean,
    opts?: DatabasePreflightOptions,
  ): Promise<DatabasePreflight>;
  apply(pre: DatabasePreflight): Promise<DatabaseApplyResult>;
}

/** MariaDB over mysql2 (directly or through an SSH tunnel) for Harbor 1.x, PostgreSQL over pg for 2.x: what every real run uses. */
export const SERVER_DATABASE: DatabaseEdge = { preflight: (...a) => preflightDatabase(...a), apply: (pre) => applyDatabase(pre) };

export async function applyDatabase(pre: DatabasePreflight): Promise<DatabaseApplyResult> {
  if (pre.plan.action === "skip") return { action: "skip", changed: false, message: pre.plan.reason };
  if (pre.engine === "postgresql") return applyPostgres(pre);
  const conn = await openDatabaseConnection({ ...pre.connect, multipleStatements: true });
  try {
    return await applyDatabasePlan(conn, pre.plan, pre.sql.text);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

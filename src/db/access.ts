/**
 * Preflight for the database step, read-only: the server answers, the user gets in,
 * and when the registry database is absent, the user may create (and load) it.
 * Failures are thrown as operator errors before anything changes on any host.
 */
import type { RowDataPacket } from "mysql2/promise";
import { describeDatabaseServer, openDatabaseConnection, redactFor } from "./connection.js";
import type { DbConnectOptions, DbConnection } from "./connection.js";
import { DatabaseAccessError } from "./errors.js";
import { granteeOf, LOAD_PRIVILEGES, missingPrivileges } from "./privileges.js";
import type { PrivilegeRow } from "./privileges.js";

export interface DatabaseAccessReport {
  serverVersion: string;
  registryExists: boolean;
  warnings: string[];
}

export interface CheckDatabaseAccessOptions extends DbConnectOptions {
  /** The database registry.sql creates. Default "registry". */
  database?: string;
}

export async function checkDatabaseAccess(opts: CheckDatabaseAccessOptions): Promise<DatabaseAccessReport> {
  const database = opts.database ?? "registry";
  const conn = await openDatabaseConnection({ ...opts, multipleStatements: false });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      "SELECT 1 AS ok, VERSION() AS version, CURRENT_USER() AS user, " +
        "(SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?) AS present",
      [database],
    );
    const row: Record<string, unknown> = rows[0] ?? {};
    const report: DatabaseAccessReport = {
      serverVersion: String(row["version"] ?? ""),
      registryExists: Number(row["present"]) > 0,
      warnings: [],
    };
    // An existing registry database is either Harbor's (skipped) or refused by the plan;
    // only creating one needs privileges beyond logging in.
    if (!report.registryExists) await checkCreatePrivileges(conn, opts, database, String(row["user"] ?? ""), report);
    return report;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

async function checkCreatePrivileges(
  conn: DbConnection,
  opts: CheckDatabaseAccessOptions,
  database: string,
  currentUser: string,
  report: DatabaseAccessReport,
): Promise<void> {
  const grantee = granteeOf(currentUser);
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT NULL AS schema_name, PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
     UNION ALL
     SELECT TABLE_SCHEMA, PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?`,
    [grantee, grantee],
  );
  const privileges: PrivilegeRow[] = rows.map((r) => ({
    schema: r["schema_name"] === null ? null : String(r["schema_name"]),
    privilege: String(r["privilege"]),
  }));
  const missing = missingPrivileges(privileges, database);
  if (missing.length === 0) return;

  const [roles] = await conn.query<RowDataPacket[]>("SELECT CURRENT_ROLE() AS role");
  const role = roles[0]?.["role"];
  if (role !== null && role !== undefined && role !== "") {
    // Privileges that come through a role are not in these views; the load itself will tell.
    report.warnings.push(`user '${opts.user}' holds role ${String(role)}; could not confirm it grants ${missing.join(", ")} on ${database}.*`);
    return;
  }
  throw new DatabaseAccessError(
    redactFor(
      opts,
      `${describeDatabaseServer(opts)} lets user '${opts.user}' in, but database '${database}' does not exist ` +
        `and the user may not create it: missing ${missing.join(", ")} on ${database}.*`,
    ),
    {
      // ALL: loading needs CREATE and DROP (registry.sql drops the database first), Harbor then reads and writes every table.
      hint:
        `As a MariaDB administrator: GRANT ALL PRIVILEGES ON \`${database}\`.* TO ${grantee}; ` +
        `(${LOAD_PRIVILEGES.join(", ")} at least), then run again.`,
    },
  );
}

/**
 * adopt's read of the registry database, read-only: the schema version Harbor recorded (1.x:
 * alembic_version in MariaDB; 2.x: schema_migrations in PostgreSQL) and the settings Harbor
 * stored encrypted with the secretkey in its `properties` table (1.x adminserver, 2.x core:
 * "<enc-v1>…" values such as the LDAP search password). The stored texts go only to the pure
 * check of which key decrypts them (plan/harbor-encryption.ts); they are never shown.
 */
import type { RowDataPacket } from "mysql2/promise";
import type { DesiredDatabase } from "../desired/types.js";
import type { EncryptedSetting } from "../plan/harbor-encryption.js";
import { HARBOR_ENCRYPTION_HEADER } from "../plan/harbor-encryption.js";
import type { SshPool } from "../remote/pool.js";
import { openDatabaseConnection } from "./connection.js";
import { databaseConnectOptions } from "./edge.js";
import { postgresTarget } from "./pg/edge.js";

export interface AdoptDatabaseRead {
  /** "1.4.0" (alembic_version), "180" (schema_migrations), or why it is unknown. */
  schemaVersion: string;
  encrypted: EncryptedSetting[];
}

const LIKE_ENCRYPTED = `${HARBOR_ENCRYPTION_HEADER}%`;

export async function readAdoptDatabase(desired: DesiredDatabase, pool: SshPool): Promise<AdoptDatabaseRead> {
  if (desired.engine === "postgresql") {
    const { connector } = postgresTarget(desired);
    const session = await connector(desired.database);
    try {
      const version = await session
        .query<{ version: string; dirty: boolean }>("SELECT version::text AS version, dirty FROM schema_migrations")
        .catch(() => undefined);
      const rows = await session.query<{ k: string; v: string }>("SELECT k, v FROM properties WHERE v LIKE $1", [LIKE_ENCRYPTED]).catch(() => []);
      const v = version?.[0];
      return {
        schemaVersion: v === undefined ? "unknown (no schema_migrations)" : `${v.version}${v.dirty ? " (dirty)" : ""}`,
        encrypted: rows.map((r) => ({ key: String(r.k), stored: String(r.v) })),
      };
    } finally {
      await session.end().catch(() => undefined);
    }
  }
  const conn = await openDatabaseConnection({ ...databaseConnectOptions(desired, pool), multipleStatements: false });
  try {
    await conn.query(`USE \`${desired.database}\``);
    const [versionRows] = await conn.query<RowDataPacket[]>("SELECT version_num FROM alembic_version").catch(() => [[] as RowDataPacket[]]);
    const [rows] = await conn
      .query<RowDataPacket[]>("SELECT k, v FROM properties WHERE v LIKE ?", [LIKE_ENCRYPTED])
      .catch(() => [[] as RowDataPacket[]]);
    const version = versionRows[0]?.["version_num"];
    return {
      schemaVersion: version === undefined ? "unknown (no alembic_version)" : String(version),
      encrypted: rows.map((r) => ({ key: String(r["k"]), stored: String(r["v"]) })),
    };
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

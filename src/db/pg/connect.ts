/**
 * The PgConnector that talks to a real server, with npm `pg`. Its failures become errors
 * that say which server, which user, and what to do; none holds the password.
 */
import type { DesiredPgDatabase } from "../../desired/types.js";
import type { ConnectionOptions } from "node:tls";
import { HarborHaError } from "../../errors.js";
import type { Secret } from "../../inventory/secret.js";
import { describeTarget } from "./session.js";
import type { PgConnector, PgSession, PgTarget } from "./session.js";

export type PgSslMode = DesiredPgDatabase["sslmode"];

/** The server cannot be reached or refused the user; nothing was changed. */
export class Harbor2DatabaseAccessError extends HarborHaError {}

const CONNECT_TIMEOUT_MS = 10_000;

export function pgConnector(target: PgTarget, password: Secret, sslmode: PgSslMode): PgConnector {
  return async (database) => {
    // Loaded when a connection is made: commands that never connect do not pay for pg.
    const { default: pg } = await import("pg");
    const client = new pg.Client({
      host: target.host,
      port: target.port,
      user: target.user,
      password: password.reveal(),
      database,
      ssl: sslOptions(sslmode),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: "harbor-ha",
    });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw accessError(target, database, e);
    }
    const session: PgSession = {
      async query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
        try {
          return (await client.query<Row>(sql, params === undefined ? undefined : [...params])).rows;
        } catch (e) {
          throw accessError(target, database, e);
        }
      },
      end: () => client.end(),
    };
    return session;
  };
}

/** libpq's sslmode as node's TLS options: require encrypts without checking, verify-ca checks the chain, verify-full the name too. */
function sslOptions(mode: PgSslMode): false | ConnectionOptions {
  switch (mode) {
    case "disable":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

function accessError(target: PgTarget, database: string, e: unknown): HarborHaError {
  const err = e as { code?: string; message?: string };
  const where = `${describeTarget(target)}, database "${database}"`;
  const cause = err.message ?? String(e);
  switch (err.code) {
    case "28P01":
    case "28000":
      return new Harbor2DatabaseAccessError(`${where}: the server refused the user (${cause})`, {
        hint:
          "Check database.user and database.password, and that pg_hba.conf lets this user connect " +
          "from the machine running harbor-ha and from every Harbor node.",
      });
    case "42501":
      return new Harbor2DatabaseAccessError(`${where}: permission denied (${cause})`, {
        hint: `Grant the user CREATEDB (ALTER ROLE "${target.user}" CREATEDB), or create the database yourself and set database.create: false.`,
      });
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return new Harbor2DatabaseAccessError(`${where}: cannot connect (${cause})`, {
        hint: "Check database.host and database.port, that PostgreSQL listens there (listen_addresses), and that no firewall is in the way.",
      });
    default:
      return new Harbor2DatabaseAccessError(`${where}: ${cause}`, { hint: "Check the PostgreSQL server's log for the reason.", cause: e });
  }
}

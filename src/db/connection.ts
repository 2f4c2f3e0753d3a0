/**
 * Opening a MariaDB connection with mysql2, directly or over a stream the caller
 * provides (an SSH tunnel built by src/remote), and turning mysql2's failures into
 * errors that speak to the operator. The password is a Secret: it goes to mysql2 and
 * nowhere else, and every message is passed through a Redactor as a second net.
 */
import type { Duplex } from "node:stream";
import type { Connection } from "mysql2/promise";
import type { HarborHaError } from "../errors.js";
import { Redactor } from "../inventory/secret.js";
import type { Secret } from "../inventory/secret.js";
import { DatabaseAccessError, DatabaseUnreachableError } from "./errors.js";

export type DbConnection = Connection;

export interface DbConnectOptions {
  host: string;
  port: number;
  user: string;
  password: Secret;
  /** How long to wait for the TCP connect and MariaDB's handshake. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * A stream to MariaDB instead of a direct TCP connection, e.g. an SSH tunnel
   * (forwardOut to host:port from a host that reaches the database).
   */
  openStream?: () => Promise<NodeJS.ReadWriteStream | Duplex>;
  /** The host the tunnel goes through, named in messages. */
  via?: string;
  /** Needed to send registry.sql as Harbor ships it (many statements). Default true. */
  multipleStatements?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** "MariaDB at 10.20.0.31:3306" or "MariaDB at 10.20.0.31:3306 (through an SSH tunnel via harbor1)". */
export function describeDatabaseServer(opts: Pick<DbConnectOptions, "host" | "port" | "via">): string {
  const where = `MariaDB at ${opts.host}:${opts.port}`;
  return opts.via === undefined ? where : `${where} (through an SSH tunnel via ${opts.via})`;
}

/** Connects and completes MariaDB's handshake; failures become operator errors. */
export async function openDatabaseConnection(opts: DbConnectOptions): Promise<DbConnection> {
  let stream: NodeJS.ReadWriteStream | Duplex | undefined;
  if (opts.openStream) {
    try {
      stream = await opts.openStream();
    } catch (err) {
      throw new DatabaseUnreachableError(redactFor(opts, `cannot open the tunnel to ${describeDatabaseServer(opts)}: ${messageOf(err)}`), {
        hint: `Check that ${opts.via ?? "the tunnel host"} reaches ${opts.host}:${opts.port}, or remove database.tunnel_via to connect directly.`,
      });
    }
  }
  // Loaded when a connection is made: commands that never connect do not pay for mysql2.
  const { default: mysql } = await import("mysql2/promise");
  try {
    const conn = await mysql.createConnection({
      host: opts.host,
      port: opts.port,
      user: opts.user,
      password: opts.password.reveal(),
      connectTimeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      multipleStatements: opts.multipleStatements ?? true,
      // Harbor's registry.sql declares utf8; keep the session in step with it.
      charset: "UTF8_GENERAL_CI",
      ...(stream === undefined ? {} : { stream }),
    });
    // A server that goes away between queries must not crash the process with an
    // unhandled 'error' event; the next query rejects and reports it.
    conn.on("error", () => undefined);
    return conn;
  } catch (err) {
    if (stream && "destroy" in stream && typeof stream.destroy === "function") stream.destroy();
    throw describeConnectError(err, opts);
  }
}

const ACCESS_DENIED = new Set(["ER_ACCESS_DENIED_ERROR", "ER_HOST_NOT_PRIVILEGED", "ER_DBACCESS_DENIED_ERROR", "ER_ACCESS_DENIED_NO_PASSWORD_ERROR"]);
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "ECONNREFUSED (nothing listens on that port)",
  ETIMEDOUT: "timeout",
  ENOTFOUND: "ENOTFOUND (the name does not resolve)",
  EAI_AGAIN: "EAI_AGAIN (the name does not resolve right now)",
  EHOSTUNREACH: "EHOSTUNREACH (no route to the host)",
  ENETUNREACH: "ENETUNREACH (no route to the network)",
  ECONNRESET: "ECONNRESET (the connection was reset)",
  PROTOCOL_CONNECTION_LOST: "the connection closed during the handshake",
};

/** A mysql2 connect failure → DatabaseAccessError or DatabaseUnreachableError, password-free. */
export function describeConnectError(err: unknown, opts: DbConnectOptions): HarborHaError {
  const server = describeDatabaseServer(opts);
  const code = codeOf(err);
  if (code !== undefined && ACCESS_DENIED.has(code)) {
    const detail = code === "ER_HOST_NOT_PRIVILEGED" ? "this host is not allowed" : "wrong password or host not allowed";
    return new DatabaseAccessError(redactFor(opts, `${server} refused user '${opts.user}' (${detail}): ${messageOf(err)}`), {
      hint:
        `Check database.password in the inventory, and that MariaDB has '${opts.user}'@'<this host>' with that password ` +
        "(SELECT user, host FROM mysql.user).",
    });
  }
  const reason = (code !== undefined ? UNREACHABLE[code] : undefined) ?? (/timeout|timed out/i.test(messageOf(err)) ? "timeout" : undefined);
  if (reason !== undefined) {
    const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new DatabaseUnreachableError(
      redactFor(opts, `cannot reach ${server}: ${reason === "timeout" ? `timeout after ${timeoutMs} ms` : reason}`),
      {
        hint:
          "Check database.host and database.port, that MariaDB listens there (bind-address), and firewalls; " +
          "or reach it through database.tunnel_via.",
      },
    );
  }
  return new DatabaseUnreachableError(redactFor(opts, `cannot connect to ${server}: ${messageOf(err)}`), {
    hint: "Check that the server at database.host:database.port is MariaDB or MySQL and accepts connections.",
  });
}

export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Masks the password in a text, whatever path it came by. */
export function redactFor(opts: Pick<DbConnectOptions, "password">, text: string): string {
  return new Redactor().add(opts.password).redact(text);
}

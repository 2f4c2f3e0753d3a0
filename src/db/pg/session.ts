/**
 * The small interface the Harbor 2.x database step needs from PostgreSQL, so that the
 * decisions (plan.ts) and the reading of facts (facts.ts) can be tested with a fake; the only
 * implementation talking to a server is connect.ts (npm `pg`).
 */
export interface PgSession {
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  end(): Promise<void>;
}

/** Opens a session to one database of the server the inventory names. */
export type PgConnector = (database: string) => Promise<PgSession>;

/** Where the server is, for messages: never holds the password. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  /** The database Harbor's core uses (database.core_database). */
  database: string;
}

/** The database every PostgreSQL has, to look at the list of databases and to create one. */
export const MAINTENANCE_DATABASE = "postgres";

export function describeTarget(t: PgTarget): string {
  return `PostgreSQL ${t.host}:${t.port} (user ${t.user})`;
}

/**
 * Runs the Harbor 2.x database step against a server: reads the facts, decides (plan.ts),
 * and creates the empty database when that is the decision. The only statement that changes
 * anything is CREATE DATABASE; nothing is ever dropped.
 */
import { readDatabaseExists, readSchemaState } from "./facts.js";
import type { SchemaFacts } from "./facts.js";
import { planHarbor2Database } from "./plan.js";
import type { Harbor2DatabasePlan } from "./plan.js";
import { MAINTENANCE_DATABASE } from "./session.js";
import type { PgConnector, PgSession, PgTarget } from "./session.js";

export interface Harbor2DatabaseOutcome {
  plan: Harbor2DatabasePlan;
  /** What the server held before: for reports and dry-run. */
  before: SchemaFacts;
}

/** With dryRun the plan is returned and nothing is created. */
export async function ensureHarbor2Database(
  connect: PgConnector,
  target: PgTarget,
  opts: { allowCreate: boolean; dryRun: boolean },
): Promise<Harbor2DatabaseOutcome> {
  const before = await readFacts(connect, target);
  const plan = planHarbor2Database(target, before, opts.allowCreate);
  if (plan.action === "create" && !opts.dryRun) {
    await withSession(connect, MAINTENANCE_DATABASE, async (s) => {
      // An identifier cannot be a bind parameter: quote it as PostgreSQL does.
      await s.query(`CREATE DATABASE ${quoteIdentifier(target.database)}`);
    });
  }
  return { plan, before };
}

async function readFacts(connect: PgConnector, target: PgTarget): Promise<SchemaFacts> {
  const exists = await withSession(connect, MAINTENANCE_DATABASE, (s) => readDatabaseExists(s, target.database));
  if (!exists) return { state: "missing" };
  return withSession(connect, target.database, readSchemaState);
}

async function withSession<T>(connect: PgConnector, database: string, use: (s: PgSession) => Promise<T>): Promise<T> {
  const session = await connect(database);
  try {
    return await use(session);
  } finally {
    await session.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

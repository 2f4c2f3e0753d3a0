/**
 * The database step of a Harbor 2.x cluster: PostgreSQL over pg. Harbor's core migrates its
 * own schema, so the step only makes sure the database is there (created empty when the
 * inventory allows it) and that no failed migration left it dirty (db/pg/plan.ts refuses
 * then). Nothing is ever dropped; --reinitialize-database is Harbor 1.x's alone.
 */
import type { DesiredPgDatabase } from "../../desired/types.js";
import { HarborHaError } from "../../errors.js";
import { ensureHarbor2Database } from "./apply.js";
import { pgConnector } from "./connect.js";
import type { PgConnector, PgTarget } from "./session.js";
import type { DatabaseApplyResult } from "../apply.js";
import type { DatabasePlan } from "../plan.js";

export interface PostgresPreflight {
  engine: "postgresql";
  plan: DatabasePlan;
  connector: PgConnector;
  target: PgTarget;
}

export function postgresTarget(db: DesiredPgDatabase): { target: PgTarget; connector: PgConnector } {
  const target = { host: db.host, port: db.port, user: db.user, database: db.database };
  return { target, connector: pgConnector(target, db.password, db.sslmode) };
}

/** Read-only; a refusal (missing database without database.create, a dirty schema) is thrown. */
export async function preflightPostgres(db: DesiredPgDatabase, reinitialize: boolean): Promise<PostgresPreflight> {
  if (reinitialize)
    throw new HarborHaError("--reinitialize-database loads Harbor 1.x's registry.sql; Harbor 2.x migrates its own PostgreSQL schema", {
      hint: "Leave the flag out. To start a Harbor 2.x cluster from an empty database, drop and create it yourself after a backup.",
      exitCode: 2,
    });
  const { target, connector } = postgresTarget(db);
  const { plan } = await ensureHarbor2Database(connector, target, { allowCreate: db.allowCreate, dryRun: true });
  return {
    engine: "postgresql",
    plan: { action: plan.action === "create" ? "create" : "skip", reason: plan.why, warnings: [] },
    connector,
    target,
  };
}

export async function applyPostgres(pre: PostgresPreflight): Promise<DatabaseApplyResult> {
  // Decided again on the server's state now: a database another run created meanwhile is kept as it is.
  const { plan } = await ensureHarbor2Database(pre.connector, pre.target, { allowCreate: true, dryRun: false });
  return plan.action === "create"
    ? { action: "create", changed: true, message: `created the empty database "${pre.target.database}"` }
    : { action: "skip", changed: false, message: plan.why };
}

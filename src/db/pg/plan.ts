/**
 * The Harbor 2.x database step, decided from the facts: pure. Harbor 2.x migrates its own
 * schema (core, golang-migrate) on start-up, so harbor-ha loads no SQL; it makes sure the
 * database is there (creating it empty only when the inventory says so) and that no failed
 * migration left it dirty, which would stop every core. It never drops or alters anything.
 */
import { HarborHaError } from "../../errors.js";
import type { SchemaFacts } from "./facts.js";
import { MIGRATIONS_TABLE } from "./facts.js";
import { describeTarget } from "./session.js";
import type { PgTarget } from "./session.js";

/** The database step refuses to go on; nothing was changed. */
export class Harbor2DatabaseRefusedError extends HarborHaError {}

export type Harbor2DatabasePlan = { action: "create"; why: string } | { action: "none"; why: string };

export function planHarbor2Database(target: PgTarget, facts: SchemaFacts, allowCreate: boolean): Harbor2DatabasePlan {
  const where = `database "${target.database}" on ${describeTarget(target)}`;
  switch (facts.state) {
    case "missing":
      if (allowCreate)
        return {
          action: "create",
          why: `${where} does not exist: creating it empty (database.create: true); Harbor's core creates its tables on first start`,
        };
      throw new Harbor2DatabaseRefusedError(`${where} does not exist`, {
        hint:
          `Create it empty (CREATE DATABASE "${target.database}" OWNER "${target.user}"), ` +
          "or set database.create: true to let harbor-ha create it; check database.core_database if it should exist already.",
        exitCode: 2,
      });
    case "empty":
      return { action: "none", why: `${where} exists and holds no Harbor schema yet: Harbor's core migrates it on first start` };
    case "migrated":
      if (facts.dirty) {
        throw new Harbor2DatabaseRefusedError(
          `${where}: a failed migration left the schema dirty at version ${facts.version} (${MIGRATIONS_TABLE}.dirty = true); ` +
            "Harbor's core will not start on it",
          {
            hint:
              `Restore the database from the backup taken before the upgrade, or repair migration ${facts.version} by hand ` +
              `and then set ${MIGRATIONS_TABLE}.dirty to false; harbor-ha changes nothing until then.`,
            exitCode: 2,
          },
        );
      }
      return { action: "none", why: `${where} holds Harbor's schema at migration ${facts.version}` };
  }
}

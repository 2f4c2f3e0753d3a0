/**
 * The database decision, pure: given what registry.sql does and what the database
 * holds, load it, skip it, re-initialise, or refuse. Harbor's registry.sql begins with
 * `drop database if exists registry;`, so the default for anything that holds data
 * is never to load.
 */
import { describeRegistrySql } from "../harbor/v1/database.js";
import type { DesiredRegistrySql } from "../desired/types.js";
import type { DatabaseFacts } from "./facts.js";
import type { ParsedRegistrySql } from "./registry-sql.js";

/** "create": Harbor 2.x's empty PostgreSQL database (db/pg/edge.ts). */
export type DatabaseAction = "load" | "skip" | "reinitialize" | "refuse" | "create";

export interface DatabasePlan {
  action: DatabaseAction;
  /** One sentence for the operator; for "reinitialize" it holds the row counts that would be lost. */
  reason: string;
  warnings: string[];
}

export interface PlanDatabaseOptions {
  /** The operator asked, by the loudly named flag, to drop and reload an existing schema. */
  reinitialize: boolean;
}

/**
 * Harbor's schema version for a release: its registry.sql marks 1.4.x as "1.4.0", so a
 * marker matches a release with the same major.minor (patch releases keep the schema).
 */
export function schemaVersionMatches(marker: string, harborVersion: string): boolean {
  const majorMinor = (v: string) => /^v?(\d+)\.(\d+)/.exec(v.trim())?.slice(1, 3).join(".");
  const a = majorMinor(marker);
  return marker.trim() === harborVersion.trim() || (a !== undefined && a === majorMinor(harborVersion));
}

export function planDatabase(desired: DesiredRegistrySql, sql: ParsedRegistrySql, facts: DatabaseFacts, opts: PlanDatabaseOptions): DatabasePlan {
  const warnings: string[] = [];
  const refuse = (reason: string): DatabasePlan => ({ action: "refuse", reason, warnings });

  if (sql.database.toLowerCase() !== desired.database.toLowerCase()) {
    return refuse(
      `${describeRegistrySql(desired.registrySql)} creates database '${sql.database}', not '${desired.database}': it is not Harbor's registry.sql`,
    );
  }
  if (sql.versionMarker === undefined) {
    warnings.push(
      `${describeRegistrySql(desired.registrySql)} has no alembic_version marker: ` +
        `cannot check that it is the schema of Harbor ${desired.harborVersion}`,
    );
  } else if (!schemaVersionMatches(sql.versionMarker, desired.harborVersion)) {
    const fix =
      desired.registrySql.from === "bundle"
        ? "installer.bundle is another release's installer: " +
          `point it at Harbor ${desired.harborVersion}'s offline installer, or correct cluster.harbor_version`
        : `use ha/registry.sql from the ${desired.harborVersion} installer, or leave database.registry_sql out to read it from installer.bundle`;
    return refuse(
      `${describeRegistrySql(desired.registrySql)} is the schema of Harbor ${sql.versionMarker}, ` +
        `but the inventory installs Harbor ${desired.harborVersion}: wrong registry.sql for this Harbor (${fix})`,
    );
  }

  if (!facts.registryExists) {
    return {
      action: "load",
      reason: `database '${desired.database}' does not exist: loading ${describeRegistrySql(desired.registrySql)} (${sql.tables.length} tables)`,
      warnings,
    };
  }
  if (facts.tables.length === 0) {
    return {
      action: "load",
      reason: `database '${desired.database}' exists and is empty: loading ${describeRegistrySql(desired.registrySql)} (${sql.tables.length} tables)`,
      warnings,
    };
  }
  return planExistingDatabase(desired, sql, facts, opts, warnings);
}

/** The registry database holds tables: skip Harbor's schema, re-initialise on request, refuse the rest. */
function planExistingDatabase(
  desired: DesiredRegistrySql,
  sql: ParsedRegistrySql,
  facts: DatabaseFacts,
  opts: PlanDatabaseOptions,
  warnings: string[],
): DatabasePlan {
  const refuse = (reason: string): DatabasePlan => ({ action: "refuse", reason, warnings });
  const known = new Set(sql.tables);
  const harborTables = facts.tables.filter((t) => known.has(t.toLowerCase()));
  if (harborTables.length === 0) {
    return refuse(
      `database '${desired.database}' holds ${facts.tables.length} table(s) that are not Harbor's (${listSome(facts.tables)}); ` +
        "registry.sql would drop them: move them away or point the inventory at another server",
    );
  }

  const version = facts.versionMarker ?? "unknown";
  if (facts.versionMarker === undefined) {
    warnings.push(`database '${desired.database}' has Harbor's tables but no alembic_version marker: its schema version is unknown`);
  } else if (!schemaVersionMatches(facts.versionMarker, desired.harborVersion)) {
    return refuse(
      `database '${desired.database}' holds Harbor's schema version ${facts.versionMarker}, ` +
        `but the inventory installs Harbor ${desired.harborVersion}: ` +
        `migrate with Harbor's migrator first (harbor-migration for ${desired.harborVersion}), then run again` +
        (opts.reinitialize ? " (the re-initialise flag does not override this: drop the database by hand if its data is truly unwanted)" : ""),
    );
  }

  const present = new Set(facts.tables.map((t) => t.toLowerCase()));
  const missing = sql.tables.filter((t) => !present.has(t));
  const foreign = facts.tables.filter((t) => !known.has(t.toLowerCase()));
  if (foreign.length > 0) {
    warnings.push(`database '${desired.database}' also holds table(s) registry.sql does not create: ${listSome(foreign)}`);
  }

  if (opts.reinitialize) {
    return { action: "reinitialize", reason: describeReinitialize(desired, facts, version), warnings };
  }
  if (missing.length > 0) {
    // Harbor cannot run on it, and loading registry.sql would drop what is there: the operator decides.
    return refuse(
      `${describeMissingTables(desired.database, missing)}: Harbor cannot run on it, ` +
        `and loading registry.sql would drop the ${harborTables.length} table(s) it has. ` +
        "Restore the database from a backup, or, if its data is truly unwanted, " +
        "run provision with --reinitialize-database-destroying-all-data=<cluster.name> to drop it and load registry.sql again",
    );
  }
  const moved = movedConnection(desired, facts);
  if (moved.length > 0) {
    return refuse(
      `Harbor ${desired.harborVersion} keeps the database connection its UI and job service use in its properties table ` +
        "from its first start, and harbor.cfg's db_host/db_port/db_user reach only its adminserver: " +
        `${moved.join(", ")}. Changing database.host/port/user on an installed ${desired.harborVersion} cluster ` +
        "would leave Harbor on the old database while reporting success: " +
        "keep database.* as Harbor has it (a name that resolves to the same server is still a change), " +
        "or move the database with Harbor's own tools and update the properties rows yourself",
    );
  }
  return {
    action: "skip",
    reason:
      `registry database already holds Harbor's schema (${harborTables.length} tables, version ${version}); ` +
      "registry.sql not loaded — it would drop it",
    warnings,
  };
}

/**
 * Harbor 1.4's adminserver re-reads only the DB password from its environment after the first
 * start (src/adminserver/systemcfg/systemcfg.go, repeatLoadEnvs); 1.5 re-reads host, port and
 * user too. So on 1.4 a connection that differs from the recorded one never reaches Harbor.
 * Pure: "db_host: Harbor uses 10.0.0.5, the inventory says db2" for each difference.
 */
export function movedConnection(desired: DesiredRegistrySql, facts: DatabaseFacts): string[] {
  const recorded = facts.harborConnection;
  if (!recorded || !/^1\.4\./.test(desired.harborVersion)) return [];
  const pairs: Array<[string, string | undefined, string]> = [
    ["db_host", recorded.mysql_host, desired.host],
    ["db_port", recorded.mysql_port, String(desired.port)],
    ["db_user", recorded.mysql_username, desired.user],
  ];
  return pairs
    .filter(([, has, wants]) => has !== undefined && has !== wants)
    .map(([key, has, wants]) => `${key}: Harbor uses ${has}, the inventory says ${wants}`);
}

function describeReinitialize(desired: DesiredRegistrySql, facts: DatabaseFacts, version: string): string {
  const counts = Object.entries(facts.rowCounts).sort(([a], [b]) => a.localeCompare(b));
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const nonEmpty = counts.filter(([, n]) => n > 0).map(([t, n]) => `${t}: ${n}`);
  return (
    `RE-INITIALISING database '${desired.database}' (Harbor schema version ${version}): DROPS ${facts.tables.length} tables holding ${total} rows` +
    (nonEmpty.length > 0 ? ` (${nonEmpty.join(", ")})` : "") +
    `, then loads ${describeRegistrySql(desired.registrySql)}`
  );
}

/** "database 'registry' lacks 2 of registry.sql's tables (project, project_member)": provision and status say it alike. */
export function describeMissingTables(database: string, missing: readonly string[]): string {
  return (
    `database '${database}' lacks ${missing.length} of registry.sql's tables (${listSome([...missing])}): ` +
    "an earlier load may have stopped halfway"
  );
}

function listSome(names: string[], max = 8): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, … ${names.length - max} more` : shown;
}

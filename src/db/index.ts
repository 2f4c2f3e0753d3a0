/**
 * The database step's public face: preflight access, facts, the pure plan, apply.
 * Callers (preflight, provision) import from here; see each module for the rules.
 */
export { checkDatabaseAccess } from "./access.js";
export type { CheckDatabaseAccessOptions, DatabaseAccessReport } from "./access.js";
export { applyDatabasePlan } from "./apply.js";
export type { DatabaseApplyResult } from "./apply.js";
export { describeDatabaseServer, openDatabaseConnection, DEFAULT_CONNECT_TIMEOUT_MS } from "./connection.js";
export type { DbConnectOptions, DbConnection } from "./connection.js";
export { DatabaseAccessError, DatabaseLoadError, DatabaseRefusedError, DatabaseUnreachableError, RegistrySqlError } from "./errors.js";
export { gatherDatabaseFacts } from "./facts.js";
export type { DatabaseFacts } from "./facts.js";
export { planDatabase, schemaVersionMatches } from "./plan.js";
export type { DatabaseAction, DatabasePlan, PlanDatabaseOptions } from "./plan.js";
export { readRegistrySql } from "./read-registry-sql.js";
export type { RegistrySqlFile } from "./read-registry-sql.js";
export { parseRegistrySql, splitSqlStatements } from "./registry-sql.js";
export type { ParsedRegistrySql } from "./registry-sql.js";

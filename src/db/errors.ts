/**
 * The database step's errors. Each names the server (host:port, and the tunnel when
 * there is one) and says what to do next; none ever holds the password.
 */
import { HarborHaError } from "../errors.js";

/** The registry.sql file is not one the tool can load (not Harbor's, unreadable). */
export class RegistrySqlError extends HarborHaError {}

/** MariaDB cannot be reached: refused, timed out, unknown host, tunnel failed. */
export class DatabaseUnreachableError extends HarborHaError {}

/** MariaDB answered but refused the user (wrong password, host not allowed, missing privilege). */
export class DatabaseAccessError extends HarborHaError {}

/** The plan refused to load registry.sql: loading it would destroy data or mismatch Harbor. */
export class DatabaseRefusedError extends HarborHaError {}

/** A statement failed while loading, or the loaded schema is not what the file describes. */
export class DatabaseLoadError extends HarborHaError {}

/**
 * What a registry.sql does, read from its text without running it (pure).
 *
 * The loader sends the file to MariaDB exactly as Harbor ships it; this parser only
 * learns what that will do (which database it drops and creates, which tables, which
 * schema version) so that the plan can refuse or skip before anything is destroyed.
 * It follows MySQL's lexical rules for comments and quoted text, so that a `;` or
 * a `#` inside a string does not mislead it.
 */
import { RegistrySqlError } from "./errors.js";

export interface ParsedRegistrySql {
  /** The database the file creates (or `use`s), e.g. "registry". */
  database: string;
  /** Tables the file creates, lower-case, in file order, without duplicates. */
  tables: string[];
  /** The value inserted into alembic_version (Harbor's schema version), e.g. "1.4.0". */
  versionMarker?: string;
  /** The file drops that database first (`drop database if exists registry;`). */
  dropsDatabase: boolean;
  /** The file creates that database (Harbor's does); otherwise it only `use`s it. */
  createsDatabase: boolean;
  /** Number of SQL statements, comments excluded. */
  statementCount: number;
}

/** The statements of an SQL text, comments removed, each trimmed; empty ones dropped. */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1] ?? "";
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = endOfQuoted(text, i);
      current += text.slice(i, end);
      i = end;
    } else if (ch === "#" || (ch === "-" && next === "-" && /[\s]/.test(text[i + 2] ?? "\n"))) {
      // MySQL: `#` and `-- ` (dash dash whitespace) comment to the end of the line.
      const eol = text.indexOf("\n", i);
      i = eol === -1 ? text.length : eol;
      current += " ";
    } else if (ch === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      const body = text.slice(i + 2, close === -1 ? text.length : close);
      // `/*! ... */` and `/*!50003 ... */` are executable comments: MySQL runs their body.
      current += body.startsWith("!") ? ` ${body.replace(/^!\d*/, "")} ` : " ";
      i = close === -1 ? text.length : close + 2;
    } else if (ch === ";") {
      pushStatement(statements, current);
      current = "";
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  pushStatement(statements, current);
  return statements;
}

function pushStatement(statements: string[], raw: string): void {
  const s = raw.replace(/\s+/g, " ").trim();
  if (s) statements.push(s);
}

/** Index just past the closing quote of the quoted text starting at `start`. */
function endOfQuoted(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && quote !== "`") {
      i += 2;
    } else if (ch === quote) {
      if (text[i + 1] === quote)
        i += 2; // doubled quote: an escaped quote
      else return i + 1;
    } else {
      i++;
    }
  }
  return text.length;
}

const NAME = "(`[^`]+`|[A-Za-z0-9_$]+)";
const QUALIFIED = `(?:${NAME}\\s*\\.\\s*)?${NAME}`;
const DROP_DB = new RegExp(`^drop\\s+(?:database|schema)\\s+(?:if\\s+exists\\s+)?${NAME}$`, "i");
const CREATE_DB = new RegExp(`^create\\s+(?:database|schema)\\s+(?:if\\s+not\\s+exists\\s+)?${NAME}`, "i");
const USE_DB = new RegExp(`^use\\s+${NAME}$`, "i");
const CREATE_TABLE = new RegExp(`^create\\s+(?:temporary\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?${QUALIFIED}`, "i");
const INSERT_VERSION = new RegExp(
  `^insert\\s+(?:ignore\\s+)?(?:into\\s+)?(?:${NAME}\\s*\\.\\s*)?\`?alembic_version\`?\\s*` +
    `(?:\\(\\s*\`?version_num\`?\\s*\\)\\s*)?values?\\s*\\(\\s*(['"])(.*?)\\2`,
  "i",
);

function unquote(name: string): string {
  return name.startsWith("`") ? name.slice(1, -1) : name;
}

/**
 * Reads what a registry.sql will do. Tolerant of comments, case and layout; throws
 * RegistrySqlError when the text names no database or creates no table, since such a
 * file is not a registry.sql and loading it would be a mistake.
 */
export function parseRegistrySql(text: string, source = "registry.sql"): ParsedRegistrySql {
  const statements = splitSqlStatements(text);
  let created: string | undefined;
  let used: string | undefined;
  const dropped: string[] = [];
  const tables: string[] = [];
  let versionMarker: string | undefined;

  for (const s of statements) {
    let m: RegExpExecArray | null;
    if ((m = DROP_DB.exec(s))) dropped.push(unquote(m[1]!));
    else if ((m = CREATE_DB.exec(s))) created ??= unquote(m[1]!);
    else if ((m = USE_DB.exec(s))) used ??= unquote(m[1]!);
    else if ((m = CREATE_TABLE.exec(s))) {
      const table = unquote(m[2]!).toLowerCase();
      if (!tables.includes(table)) tables.push(table);
    } else if ((m = INSERT_VERSION.exec(s))) versionMarker ??= m[3];
  }

  const database = created ?? used;
  if (database === undefined || tables.length === 0) {
    const missing = database === undefined ? "names no database (no `create database` or `use`)" : "creates no table";
    throw new RegistrySqlError(`${source} ${missing}: it is not Harbor's registry.sql`, {
      hint: "Use harbor/ha/registry.sql from Harbor's offline installer: leave database.registry_sql out to read it from installer.bundle.",
    });
  }
  const parsed: ParsedRegistrySql = {
    database,
    tables,
    dropsDatabase: dropped.some((d) => d.toLowerCase() === database.toLowerCase()),
    createsDatabase: created !== undefined,
    statementCount: statements.length,
  };
  if (versionMarker !== undefined) parsed.versionMarker = versionMarker;
  return parsed;
}

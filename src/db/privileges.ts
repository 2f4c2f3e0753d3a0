/**
 * Which privileges a MariaDB user holds on a database, from the rows of
 * information_schema.USER_PRIVILEGES (global) and SCHEMA_PRIVILEGES (per database,
 * where the name may be a LIKE pattern such as `regis%` or `harbor\_%`). Pure.
 * These views are used instead of SHOW GRANTS because SHOW GRANTS prints the
 * password hash, which must not reach any output.
 */

export interface PrivilegeRow {
  /** null for a global privilege (ON *.*), else the database name or LIKE pattern. */
  schema: string | null;
  /** e.g. "CREATE", "DROP", "ALL PRIVILEGES" */
  privilege: string;
}

/** What loading registry.sql needs on the registry database. */
export const LOAD_PRIVILEGES = ["CREATE", "DROP", "INSERT", "SELECT"] as const;

/** The privileges of `required` that no row grants on `database`, in the order given. */
export function missingPrivileges(rows: readonly PrivilegeRow[], database: string, required: readonly string[] = LOAD_PRIVILEGES): string[] {
  const held = new Set<string>();
  for (const row of rows) {
    if (row.schema === null || schemaPatternMatches(row.schema, database)) held.add(row.privilege.trim().toUpperCase());
  }
  if (held.has("ALL PRIVILEGES") || held.has("ALL")) return [];
  return required.filter((p) => !held.has(p.toUpperCase()));
}

/** MySQL's database-grant matching: `%` any run, `_` any one character, `\%` `\_` literal. */
export function schemaPatternMatches(pattern: string, database: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) {
      re += escapeRegExp(pattern[++i]!);
    } else if (ch === "%") {
      re += ".*";
    } else if (ch === "_") {
      re += ".";
    } else {
      re += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${re}$`, "s").test(database);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** CURRENT_USER() ("harbor@10.0.0.%") → the GRANTEE form of information_schema ("'harbor'@'10.0.0.%'"). */
export function granteeOf(currentUser: string): string {
  const at = currentUser.lastIndexOf("@");
  const user = at === -1 ? currentUser : currentUser.slice(0, at);
  const host = at === -1 ? "%" : currentUser.slice(at + 1);
  return `'${user}'@'${host}'`;
}

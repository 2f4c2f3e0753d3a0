/**
 * Harbor 2.x's schema migrations as its core applies them with golang-migrate: the files
 * `<version>_<title>.up.sql` of make/migrations/postgresql, in version order; the table
 * schema_migrations holds the last version applied and a dirty flag. Pure: the file names are
 * read at the edge (bundle/db-migrations.ts).
 */

export interface SchemaMigration {
  version: number;
  /** The file's name, as Harbor ships it: 0180_2.15.0_schema.up.sql. */
  file: string;
}

const UP_FILE = /^(\d+)_[^/]+\.up\.sql$/;

/** The migrations among a folder's file names, in version order; other files are left out. */
export function parseMigrationFiles(names: readonly string[]): SchemaMigration[] {
  return names
    .map((name) => name.split("/").pop() ?? name)
    .flatMap((file) => {
      const m = UP_FILE.exec(file);
      return m ? [{ version: Number(m[1]), file }] : [];
    })
    .sort((a, b) => a.version - b.version);
}

/** The migrations a core of the new release applies to a schema at `current`: those above it. */
export function pendingMigrations(all: readonly SchemaMigration[], current: number): SchemaMigration[] {
  return all.filter((m) => m.version > current);
}

/** The version schema_migrations holds once every migration ran. */
export function lastMigrationVersion(all: readonly SchemaMigration[]): number {
  return all.reduce((max, m) => Math.max(max, m.version), 0);
}

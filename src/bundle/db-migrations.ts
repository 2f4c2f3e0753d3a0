/**
 * The schema migrations of a Harbor 2.x release, read from Harbor's own files: the archive
 * harbor-db-migrations-v<release>.tgz (make/migrations/postgresql of that tag, the files core
 * applies with golang-migrate) beside the installer bundle. Only the names are read: the
 * version is in each file's name. Local I/O at the edge.
 */
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HarborHaError } from "../errors.js";
import { readTgzMembers, TgzReadError } from "./tgz-members.js";

export function migrationsArchiveName(release: string): string {
  return `harbor-db-migrations-v${release}.tgz`;
}

/** The archive beside the bundle, or a clear error naming where it was looked for and how to make it. */
export async function findMigrationsArchive(bundlePath: string, release: string): Promise<string> {
  const path = join(dirname(bundlePath), migrationsArchiveName(release));
  try {
    await access(path);
    return path;
  } catch {
    throw new HarborHaError(`Harbor ${release}'s schema migrations are not beside the installer bundle: ${path} does not exist`, {
      hint:
        `The upgrade lists and checks the migrations core will run from Harbor's own files. Make it from goharbor/harbor at tag v${release}: ` +
        `tar czf ${migrationsArchiveName(release)} -C make/migrations/postgresql/.. postgresql --transform s/^postgresql/migrations/ ` +
        "(the folder's *.up.sql files under migrations/), and put it beside installer.bundle.",
      exitCode: 2,
    });
  }
}

/** Every member name of the archive (nothing is held in memory). */
export async function readMigrationNames(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    await readTgzMembers(path, (entry) => {
      names.push(entry);
      return undefined;
    });
  } catch (err) {
    if (!(err instanceof TgzReadError)) throw err;
    throw new HarborHaError(`cannot read Harbor's schema migrations ${path}: ${err.why}`, {
      hint: "Give the archive of make/migrations/postgresql of the new release (migrations/*.up.sql).",
    });
  }
  return names;
}

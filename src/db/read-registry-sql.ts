/**
 * Reading registry.sql on the operator's machine (local I/O at the edge): the operator's
 * own file (database.registry_sql), or by default harbor/ha/registry.sql straight out of
 * Harbor's offline installer (installer.bundle), so that nobody has to unpack it.
 */
import { LOCAL_FILE_LIMITS, readBoundedText } from "../inventory/bounded-read.js";
import { describeRegistrySql } from "../harbor/v1/database.js";
import type { RegistrySqlSource } from "../desired/types.js";
import { RegistrySqlError } from "./errors.js";
import { messageOf } from "./connection.js";
import { parseRegistrySql } from "./registry-sql.js";
import { readTgzMembers, TgzReadError } from "../bundle/tgz-members.js";
import type { ParsedRegistrySql } from "./registry-sql.js";

export interface RegistrySqlFile {
  /** Where it came from, for messages: a path, or "harbor/ha/registry.sql in <bundle>". */
  path: string;
  /** The file as shipped: this exact text is what gets loaded. */
  text: string;
  parsed: ParsedRegistrySql;
}

/** `readMember` reads one file of the bundle (a caller may cache it: cache/bundle-cache.ts). */
export async function readRegistrySql(
  source: RegistrySqlSource,
  readMember: (bundle: string, member: string) => Promise<string> = readInstallerBundleMember,
): Promise<RegistrySqlFile> {
  const label = describeRegistrySql(source);
  const text = source.from === "file" ? await readSqlFile(source.path) : await readMember(source.bundle, source.member);
  return { path: label, text, parsed: parseRegistrySql(text, label) };
}

async function readSqlFile(path: string): Promise<string> {
  try {
    return await readBoundedText(path, LOCAL_FILE_LIMITS.large);
  } catch (err) {
    throw new RegistrySqlError(`cannot read registry.sql at ${path}: ${messageOf(err)}`, {
      hint:
        "Point database.registry_sql at harbor/ha/registry.sql from Harbor's offline installer, " +
        "or leave it out to read it from installer.bundle.",
    });
  }
}

/**
 * One file of a .tgz installer as text, e.g. "harbor/ha/registry.sql" (a leading "./" in the
 * archive is ignored). Errors name the bundle and what is missing.
 */
export async function readInstallerBundleMember(bundle: string, member: string): Promise<string> {
  let files: Map<string, string>;
  try {
    files = await readTgzMembers(bundle, (path) => (path === member ? member : undefined));
  } catch (err) {
    if (!(err instanceof TgzReadError)) throw err;
    throw new RegistrySqlError(`cannot read ${member} from the installer bundle ${bundle}: ${err.why}`, {
      hint:
        "Point installer.bundle at Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz, as downloaded), " +
        "or give database.registry_sql.",
    });
  }
  const text = files.get(member);
  if (text === undefined) {
    throw new RegistrySqlError(`the installer bundle ${bundle} has no ${member}: it is not a Harbor 1.4/1.5 offline installer`, {
      hint: "Point installer.bundle at Harbor's offline installer (harbor-offline-installer-vX.Y.Z.tgz), or give database.registry_sql.",
    });
  }
  return text;
}

/**
 * The upgrade's database backup with PostgreSQL's own client: pg_dump in its custom format
 * (what pg_restore reads, compressed), verified by `pg_restore --list` (it reads the whole
 * table of contents, so a truncated or foreign file fails), checksummed with SHA-256; and the
 * restore with `pg_restore --clean`. Run on the operator's machine against database.host, the
 * password in PGPASSWORD (never on a command line), the files 0600. Local I/O at the edge.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, rm, statfs, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { DesiredPgDatabase } from "../../desired/types.js";
import { HarborHaError } from "../../errors.js";
import { postgresTarget } from "./edge.js";
import { readSchemaState } from "./facts.js";
import type { SchemaFacts } from "./facts.js";

const run = promisify(execFile);

/** pg_dump of a large registry database: minutes, not hours. */
const DUMP_TIMEOUT_MS = 3_600_000;

export interface VerifiedDump {
  file: string;
  sha256: string;
  bytes: number;
  /** Entries pg_restore --list read from the dump's table of contents. */
  entries: number;
}

function pgEnv(db: DesiredPgDatabase): NodeJS.ProcessEnv {
  return { ...process.env, PGPASSWORD: db.password.reveal(), PGSSLMODE: db.sslmode, PGCONNECT_TIMEOUT: "10" };
}

function connectionArgs(db: DesiredPgDatabase): string[] {
  return ["-h", db.host, "-p", String(db.port), "-U", db.user, "-d", db.database];
}

/** The core database's schema_migrations row, and its size (for the room the dump needs). */
export async function readDatabaseForUpgrade(db: DesiredPgDatabase): Promise<{ schema: SchemaFacts; bytes: number }> {
  const { connector } = postgresTarget(db);
  const session = await connector(db.database);
  try {
    const schema = await readSchemaState(session);
    const size = await session.query<{ bytes: string }>("SELECT pg_database_size(current_database())::text AS bytes");
    return { schema, bytes: Number(size[0]?.bytes ?? 0) };
  } finally {
    await session.end();
  }
}

/** Free bytes in the folder the dump goes to. */
export async function freeBytesAt(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export async function dumpDatabase(db: DesiredPgDatabase, file: string, checksumLine: (sha256: string) => string): Promise<VerifiedDump> {
  try {
    await run("pg_dump", ["--format=custom", "--no-password", "--file", file, ...connectionArgs(db)], { env: pgEnv(db), timeout: DUMP_TIMEOUT_MS });
  } catch (e) {
    await rm(file, { force: true });
    throw clientError(
      "pg_dump",
      db,
      e,
      "Check that pg_dump (the postgresql-client package, as new as the server) is installed here and reaches the database.",
    );
  }
  await chmod(file, 0o600);
  let entries: number;
  try {
    const { stdout } = await run("pg_restore", ["--list", file], { maxBuffer: 256 * 1024 * 1024 });
    entries = stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(";")).length;
  } catch (e) {
    throw clientError("pg_restore --list", db, e, `The dump ${file} does not read back: keep it for inspection and run again.`);
  }
  if (entries === 0)
    throw new HarborHaError(`the dump ${file} lists no entries (pg_restore --list)`, {
      hint: "Check the database's name (database.core_database) and run again.",
    });
  const { sha256, bytes } = await sha256Of(file);
  await writeFile(`${file}.sha256`, checksumLine(sha256), { mode: 0o600 });
  return { file, sha256, bytes, entries };
}

/** Puts the dump back: every object it holds is dropped and recreated (pg_restore --clean --if-exists). */
export async function restoreDump(db: DesiredPgDatabase, file: string): Promise<void> {
  try {
    await run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-password", "--exit-on-error", ...connectionArgs(db), file], {
      env: pgEnv(db),
      timeout: DUMP_TIMEOUT_MS,
    });
  } catch (e) {
    throw clientError("pg_restore --clean", db, e, `Restore it by hand: pg_restore --clean --if-exists -d ${db.database} ${file}`);
  }
}

export async function sha256Of(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

function clientError(what: string, db: DesiredPgDatabase, e: unknown, hint: string): HarborHaError {
  const err = e as { code?: string | number; stderr?: string; message?: string };
  const why =
    err.code === "ENOENT"
      ? `${what.split(" ")[0]} is not installed on this machine`
      : (err.stderr ?? err.message ?? String(e)).trim().split("\n").slice(-3).join(" ");
  return new HarborHaError(`${what} of ${db.database} at ${db.host}:${db.port} failed: ${why}`, { hint });
}

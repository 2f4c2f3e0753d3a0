/**
 * The one way a command writes --json: a document whose every string passes the Redactor
 * before JSON escapes it (a secret with a quote, a backslash or a newline would otherwise
 * appear escaped, unmatched), the whole text redacted once more as a second net; to stdout
 * (`--json`) or to a file only its owner reads (`--json FILE`).
 */
import { constants } from "node:fs";
import { access, lstat, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import type { Redactor } from "../../inventory/secret.js";
import type { Step } from "../../steps/types.js";

export function redactedJson(doc: unknown, redactor: Redactor): string {
  const text = JSON.stringify(doc, (_key, value: unknown) => (typeof value === "string" ? redactor.redact(value) : value), 2);
  return redactor.redact(text) + "\n";
}

/** A step as every report shows it: what, why and the diff, never its command; `ms` when it ran. */
export function stepJson(s: Step, ms?: number): { phase: string; kind: string; title: string; reason: string; diff?: string; ms?: number } {
  return {
    phase: s.phase,
    kind: s.kind,
    title: s.title,
    reason: s.reason,
    ...(s.diff ? { diff: s.diff } : {}),
    ...(ms === undefined ? {} : { ms }),
  };
}

/**
 * `--json` (true): to stdout; `--json FILE`: to FILE, mode 0600, atomically (a temporary file
 * beside it, renamed over it), never through a symlink, never over a folder or device, nor
 * over any of `protectedPaths` (the inventory). Absent: nowhere.
 */
export async function writeJson(flag: string | boolean | undefined, json: string, protectedPaths: readonly string[] = []): Promise<void> {
  if (flag === true) process.stdout.write(json);
  else if (typeof flag === "string") await writeJsonFile(flag, json, protectedPaths);
}

/**
 * Refuses (exit 2) a `--json FILE` the end of the run could not write: a symlink, not a regular
 * file, the inventory itself, a folder that is missing or that this user cannot write. Every
 * command that reaches hosts calls it before the first connection, so a bad path costs nothing;
 * writeJson checks again at the end (the file system may have changed meanwhile).
 */
export async function checkJsonTarget(flag: string | boolean | undefined, protectedPaths: readonly string[] = []): Promise<void> {
  if (typeof flag === "string") await jsonTarget(flag, protectedPaths);
}

/** The absolute path `--json FILE` writes, once every check passed. */
async function jsonTarget(file: string, protectedPaths: readonly string[]): Promise<string> {
  const path = resolve(file);
  const existing = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    if (e.code === "ENOTDIR") return null;
    throw e;
  });
  const refuse = (why: string, hint = "Give --json a new file's path, or a report of an earlier run.") =>
    new UsageError(`--json ${file}: ${why}; nothing was written there`, hint);
  const folder = dirname(path);
  const folderFix = `Create the folder (mkdir -p ${folder}) or give --json a file in a folder you can write.`;
  if (existing === null) throw refuse(`a part of its folder ${folder} is not a folder`, folderFix);
  if (existing?.isSymbolicLink()) throw refuse("is a symbolic link, which the report would be written through");
  if (existing !== undefined && !existing.isFile()) throw refuse("exists and is not a regular file");
  const real = existing === undefined ? path : await realpath(path);
  for (const p of protectedPaths) {
    if ((await realpath(p).catch(() => resolve(p))) === real) throw refuse("is the inventory itself");
  }
  const dir = await stat(folder).catch(() => undefined);
  if (!dir?.isDirectory()) throw refuse(`its folder ${folder} does not exist`, folderFix);
  // The report is written to a temporary file beside FILE, then renamed: the folder must take new files.
  const writable = await access(folder, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!writable) throw refuse(`its folder ${folder} is not writable by this user`, folderFix);
  return path;
}

async function writeJsonFile(file: string, json: string, protectedPaths: readonly string[]): Promise<void> {
  const path = await jsonTarget(file, protectedPaths);
  const tmp = join(dirname(path), `.${basename(path)}.harbor-ha-${process.pid}.tmp`);
  try {
    await writeFile(tmp, json, { mode: 0o600, flag: "wx" });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The atomic file write as ONE remote command: content on stdin, written to a temporary
 * file in the same directory, checked against its SHA-256, given its mode and owner, the
 * previous version kept as `<path>.harbor-ha.bak`, then renamed into place. A run killed
 * at any moment leaves the old file or the new one, never a half-written one: a cut
 * stream fails the checksum and the temporary file is removed by the EXIT trap.
 * Pure: builds the command; the session runs it (through sudo when needed).
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { formatMode } from "../shell/file-mode.js";

export interface UploadSpec {
  /** Absolute path on the host. */
  path: string;
  content: string | Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  owner?: string;
  group?: string;
}

export const BACKUP_SUFFIX = ".harbor-ha.bak";
/** Exit code of the script when the content arrived incomplete. */
export const UPLOAD_TRUNCATED_EXIT = 3;

/** A fixed script (no interpolation): path, mode, owner:group and hash arrive as $1..$4. */
export const ATOMIC_UPLOAD_SCRIPT = [
  "set -e",
  'path=$1; dir=$(dirname -- "$1"); tmp=; bak=',
  `trap 'rm -f -- "$tmp" "$bak"' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  'mkdir -p -- "$dir"',
  'tmp=$(mktemp -- "$dir/.harbor-ha.XXXXXXXX")',
  'cat > "$tmp"',
  'sum=$(sha256sum < "$tmp")',
  `if [ "\${sum%% *}" != "$4" ]; then echo "$path: ` +
    `the content arrived incomplete (checksum mismatch); the file was left as it was" >&2; ` +
    `exit ${UPLOAD_TRUNCATED_EXIT}; fi`,
  'chmod -- "$2" "$tmp"',
  'chown -- "$3" "$tmp"',
  `if [ -e "$path" ]; then bak=$(mktemp -- "$dir/.harbor-ha-bak.XXXXXXXX"); ` +
    `cp -p -- "$path" "$bak"; mv -f -- "$bak" "$path${BACKUP_SUFFIX}"; bak=; fi`,
  'mv -f -- "$tmp" "$path"',
  "tmp=",
].join("\n");

export interface UploadCommand {
  command: Command;
  stdin: Buffer;
  sha256: string;
}

/** Throws unless `path` is an absolute file path (a programming error: the render makes them). */
export function checkUploadPath(path: string): void {
  if (!posix.isAbsolute(path) || path.endsWith("/")) throw new Error(`harbor-ha: upload path must be an absolute file path, got "${path}"`);
}

export function buildAtomicUpload(spec: UploadSpec): UploadCommand {
  checkUploadPath(spec.path);
  const stdin = Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content, "utf8");
  const sha256 = createHash("sha256").update(stdin).digest("hex");
  const owner = `${spec.owner ?? "root"}:${spec.group ?? spec.owner ?? "root"}`;
  const command = cmd("sh", "-c", ATOMIC_UPLOAD_SCRIPT, "sh", spec.path, formatMode(spec.mode), owner, sha256);
  return { command, stdin, sha256 };
}

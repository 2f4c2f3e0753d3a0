/**
 * The atomic file write as ONE remote command: content on stdin, written to a temporary
 * file in the same directory, checked against its SHA-256, given its mode and owner, the
 * previous version kept as `<path>.harbor-ha.bak`, then renamed into place. A run killed
 * at any moment leaves the old file or the new one, never a half-written one: a cut
 * stream fails the checksum and the temporary file is removed by the EXIT trap.
 * The expected SHA-256 travels on stdin ahead of the content, never as an argument: a command
 * line is readable by every user of the host (`ps`), and the digest of a file whose only
 * unknown is a short secret (keepalived.conf's auth_pass) gives the secret away.
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

/** A fixed script (no interpolation): path, mode and owner:group arrive as $1..$3; stdin is the 64-hex SHA-256, then the content. */
export const ATOMIC_UPLOAD_SCRIPT = [
  "set -e",
  'path=$1; dir=$(dirname -- "$1"); tmp=; bak=',
  `trap 'rm -f -- "$tmp" "$bak"' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  'mkdir -p -- "$dir"',
  'tmp=$(mktemp -- "$dir/.harbor-ha.XXXXXXXX")',
  // head -c reads no further than it is asked from a pipe, so cat gets the content whole.
  "want=$(head -c 64)",
  'cat > "$tmp"',
  'sum=$(sha256sum < "$tmp")',
  `if [ "\${sum%% *}" != "$want" ]; then echo "$path: ` +
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
  /** The SHA-256 in hex (64 bytes), then the content. */
  stdin: Buffer;
  sha256: string;
}

/** Throws unless `path` is an absolute file path (a programming error: the render makes them). */
export function checkUploadPath(path: string): void {
  if (!posix.isAbsolute(path) || path.endsWith("/")) throw new Error(`harbor-ha: upload path must be an absolute file path, got "${path}"`);
}

export function buildAtomicUpload(spec: UploadSpec): UploadCommand {
  checkUploadPath(spec.path);
  const content = Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content, "utf8");
  const sha256 = createHash("sha256").update(content).digest("hex");
  const owner = `${spec.owner ?? "root"}:${spec.group ?? spec.owner ?? "root"}`;
  const command = cmd("sh", "-c", ATOMIC_UPLOAD_SCRIPT, "sh", spec.path, formatMode(spec.mode), owner);
  return { command, stdin: Buffer.concat([Buffer.from(sha256, "ascii"), content]), sha256 };
}

/**
 * Several files of one host written by ONE remote command, each as atomically as a single
 * upload (upload.ts): all the contents arrive on stdin, one after the other; each goes to a
 * temporary file in its own folder and is checked against its SHA-256, given its mode and
 * owner — and only when every file of the batch arrived whole does any of them replace its
 * old version (kept as `<path>.harbor-ha.bak`) by a rename. A batch cut short or refused
 * anywhere changes no file; a run killed while the renames happen leaves each file old or
 * new, never half-written. Pure: builds the command; the session runs it.
 */
import { createHash } from "node:crypto";
import { cmd } from "../shell/command.js";
import { formatMode } from "../shell/file-mode.js";
import { BACKUP_SUFFIX, UPLOAD_TRUNCATED_EXIT, checkUploadPath } from "./upload.js";
import type { Command } from "../shell/command.js";
import type { UploadSpec } from "./upload.js";

/**
 * A fixed script (no interpolation): per file five arguments, path, mode, owner:group,
 * SHA-256 and size in bytes. `head -c` reads exactly the size it is given from the pipe, so
 * each file takes its own bytes; the temporary names carry the shell's PID and the file's
 * index, so the EXIT trap can find them from the arguments alone. Positional parameters are
 * never shifted at the top level: the trap walks them.
 */
export const ATOMIC_UPLOAD_BATCH_SCRIPT = [
  "set -e",
  // The folder of an absolute path without a dirname fork (forks are most of this script's cost).
  'dir_of() { d=${1%/*}; [ -n "$d" ] || d=/; }',
  'cleanup() { i=0; while [ $# -ge 5 ]; do dir_of "$1"; rm -f -- "$d/.harbor-ha.$$.$i" "$d/.harbor-ha-bak.$$.$i"; i=$((i + 1)); shift 5; done; }',
  `trap 'cleanup "$@"' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  "receive() {",
  "  i=0",
  "  while [ $# -ge 5 ]; do",
  '    dir_of "$1"; t="$d/.harbor-ha.$$.$i"',
  '    [ -d "$d" ] || mkdir -p -- "$d"',
  // noclobber: a temporary name that exists already is refused, never written through.
  '    set -C; head -c "$5" > "$t"; set +C',
  '    sum=$(sha256sum < "$t")',
  `    if [ "\${sum%% *}" != "$4" ]; then echo "$1: ` +
    `the content arrived incomplete (checksum mismatch); no file of this batch was changed" >&2; ` +
    `exit ${UPLOAD_TRUNCATED_EXIT}; fi`,
  '    chmod -- "$2" "$t"',
  '    chown -- "$3" "$t"',
  "    i=$((i + 1)); shift 5",
  "  done",
  "}",
  "place() {",
  "  i=0",
  "  while [ $# -ge 5 ]; do",
  '    dir_of "$1"; t="$d/.harbor-ha.$$.$i"; b="$d/.harbor-ha-bak.$$.$i"',
  `    if [ -e "$1" ]; then cp -p -- "$1" "$b"; mv -f -- "$b" "$1${BACKUP_SUFFIX}"; fi`,
  '    mv -f -- "$t" "$1"',
  "    i=$((i + 1)); shift 5",
  "  done",
  "}",
  'receive "$@"',
  'place "$@"',
].join("\n");

/** One command writing every file of `specs` (at least one), in order. */
export function buildAtomicUploadBatch(specs: readonly UploadSpec[]): { command: Command; stdin: Buffer } {
  if (specs.length === 0) throw new Error("harbor-ha: an upload batch needs at least one file");
  const contents: Buffer[] = [];
  const args: string[] = [];
  for (const spec of specs) {
    checkUploadPath(spec.path);
    const content = Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content, "utf8");
    const sha256 = createHash("sha256").update(content).digest("hex");
    const owner = `${spec.owner ?? "root"}:${spec.group ?? spec.owner ?? "root"}`;
    args.push(spec.path, formatMode(spec.mode), owner, sha256, String(content.length));
    contents.push(content);
  }
  const stdin = Buffer.concat(contents);
  return { command: cmd("sh", "-c", ATOMIC_UPLOAD_BATCH_SCRIPT, "sh", ...args), stdin };
}

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
 * A fixed script (no interpolation): per file five arguments, path, mode, owner:group, size in
 * bytes and its index in the batch. Stdin holds each file's SHA-256 on a line of its own, in
 * order, then the contents: a digest on a command line is readable by every user of the host. `head -c` reads exactly the size it is given from
 * the pipe, so each file takes its own bytes. Program starts are most of its cost (a host's
 * batch holds a dozen files, and every node runs one), so the rest goes by batch: one
 * `sha256sum` for all files, one `chmod` per distinct mode and one `chown` per owner, each over
 * a newline-separated list of the temporary names (paths never hold a newline); the previous
 * version is kept by a hard link (`cp -p` only where a link cannot be made), so a path is never
 * missing. The temporary names carry the shell's PID and the file's index, so the EXIT trap
 * finds them from the arguments alone; they are created under umask 077, as nobody else may
 * read a key before its mode is set. Positional parameters are never shifted at the top level.
 */
export const ATOMIC_UPLOAD_BATCH_SCRIPT = [
  "set -e",
  "NL='",
  "'",
  "umask_before=$(umask)",
  // The folder of an absolute path without a dirname fork.
  'dir_of() { d=${1%/*}; [ -n "$d" ] || d=/; }',
  'temp_of() { dir_of "$1"; t="$d/.harbor-ha.$$.$5"; }',
  // Runs "$@" with the names in $list (one per line) as further arguments: split at newlines only, never globbed.
  'with_list() { IFS=$NL; set -f; "$@" $list; unset IFS; set +f; }',
  // $list = the temporary names; with_backups, the names of backups being made (the trap removes both).
  'temps() { list=; while [ $# -ge 5 ]; do temp_of "$@"; list="$list$t$NL"; shift 5; done; }',
  'with_backups() { while [ $# -ge 5 ]; do temp_of "$@"; list="$list$d/.harbor-ha-bak.$$.$5$NL"; shift 5; done; }',
  `trap '[ -n "\${placed:-}" ] || { temps "$@"; with_backups "$@"; with_list rm -f --; }' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  "receive() {",
  "  while [ $# -ge 5 ]; do",
  '    temp_of "$@"',
  '    [ -d "$d" ] || mkdir -p -- "$d"',
  // noclobber: a temporary name that exists already is refused, never written through.
  '    umask 077; set -C; head -c "$4" > "$t"; set +C; umask "$umask_before"',
  "    shift 5",
  "  done",
  "}",
  "check_sums() {",
  '  temps "$@"; sums=$(with_list sha256sum --)',
  "  while [ $# -ge 5 ]; do",
  // A name sha256sum must escape starts its line with a backslash; the sum comes first all the same.
  '    line=${sums%%"$NL"*}; sums=${sums#*"$NL"}; line=${line#\\\\}',
  '    w=${want%%"$NL"*}; want=${want#*"$NL"}',
  `    if [ "\${line%% *}" != "$w" ]; then echo "$1: ` +
    `the content arrived incomplete (checksum mismatch); no file of this batch was changed" >&2; ` +
    `exit ${UPLOAD_TRUNCATED_EXIT}; fi`,
  "    shift 5",
  "  done",
  "}",
  // matching FIELD VALUE <records>: $list = the temporary names of the files whose FIELD (2 mode, 3 owner) is VALUE.
  "matching() {",
  "  fld=$1; val=$2; shift 2; list=",
  "  while [ $# -ge 5 ]; do",
  '    if [ "$fld" = 2 ]; then x=$2; else x=$3; fi',
  '    if [ "$x" = "$val" ]; then temp_of "$@"; list="$list$t$NL"; fi',
  "    shift 5",
  "  done",
  "}",
  // by_value FIELD PROGRAM <records>: "PROGRAM -- VALUE <files>" once per distinct VALUE; the records rotate once round.
  "by_value() {",
  "  field=$1; program=$2; shift 2; seen=$NL; k=$(($# / 5))",
  '  while [ "$k" -gt 0 ]; do',
  '    if [ "$field" = 2 ]; then v=$2; else v=$3; fi',
  '    case $seen in *"$NL$v$NL"*) ;; *) seen="$seen$v$NL"; matching "$field" "$v" "$@"; with_list "$program" -- "$v" ;; esac',
  '    r1=$1 r2=$2 r3=$3 r4=$4 r5=$5; shift 5; set -- "$@" "$r1" "$r2" "$r3" "$r4" "$r5"',
  "    k=$((k - 1))",
  "  done",
  "}",
  "place() {",
  "  while [ $# -ge 5 ]; do",
  '    temp_of "$@"',
  `    if [ -e "$1" ]; then ln -f -- "$1" "$1${BACKUP_SUFFIX}" 2>/dev/null || { b="$d/.harbor-ha-bak.$$.$5"; ` +
    `cp -p -- "$1" "$b"; mv -f -- "$b" "$1${BACKUP_SUFFIX}"; }; fi`,
  '    mv -f -- "$t" "$1"',
  "    shift 5",
  "  done",
  "}",
  // The expected sums come first on stdin, one line each (never on the command line: see upload.ts).
  "want=$(head -c $(($# / 5 * 65)))",
  'receive "$@"',
  'check_sums "$@"',
  'by_value 2 chmod "$@"',
  'by_value 3 chown "$@"',
  'place "$@"',
  "placed=1",
].join("\n");

/** One command writing every file of `specs` (at least one), in order. */
export function buildAtomicUploadBatch(specs: readonly UploadSpec[]): { command: Command; stdin: Buffer } {
  if (specs.length === 0) throw new Error("harbor-ha: an upload batch needs at least one file");
  const sums: string[] = [];
  const contents: Buffer[] = [];
  const args: string[] = [];
  for (const spec of specs) {
    checkUploadPath(spec.path);
    // The script lists temporary names one per line.
    if (spec.path.includes("\n")) throw new Error(`harbor-ha: an upload path must not hold a newline, got ${JSON.stringify(spec.path)}`);
    const content = Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content, "utf8");
    const sha256 = createHash("sha256").update(content).digest("hex");
    const owner = `${spec.owner ?? "root"}:${spec.group ?? spec.owner ?? "root"}`;
    args.push(spec.path, formatMode(spec.mode), owner, String(content.length), String(args.length / 5));
    sums.push(`${sha256}\n`);
    contents.push(content);
  }
  const stdin = Buffer.concat([Buffer.from(sums.join(""), "ascii"), ...contents]);
  return { command: cmd("sh", "-c", ATOMIC_UPLOAD_BATCH_SCRIPT, "sh", ...args), stdin };
}

/**
 * The remote commands of the cluster lock and the audit log, as data. Pure; tested as
 * strings. The lock is a directory: `mkdir` is atomic, so of two runs that try at once
 * exactly one succeeds.
 */
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";

export const LOCK_DIR = "/var/lib/harbor-ha/lock";
export const LOCK_OWNER_PATH = `${LOCK_DIR}/owner`;
export const AUDIT_LOG_PATH = "/var/log/harbor-ha/audit.log";

/** Exit status of acquireLockCommand when another run holds the lock (its owner file is on stdout). */
export const LOCK_HELD_EXIT = 3;

/**
 * Takes the lock: exit 0 when taken (owner file written), LOCK_HELD_EXIT with the holder's
 * owner file on stdout when it is held, 2 when the folder cannot be made.
 */
export function acquireLockCommand(ownerText: string, lockDir: string = LOCK_DIR): Command {
  const script =
    'mkdir -p -- "${1%/*}" || exit 2; ' +
    'if mkdir -m 0755 -- "$1" 2>/dev/null; then printf \'%s\\n\' "$2" > "$1/owner" || { rm -rf -- "$1"; exit 2; }; exit 0; fi; ' +
    `cat -- "$1/owner" 2>/dev/null; exit ${LOCK_HELD_EXIT}`;
  return cmd("sh", "-c", script, "sh", lockDir, ownerText);
}

/** Breaks a lock (--force-unlock): prints the owner file it removes, if any. */
export function breakLockCommand(lockDir: string = LOCK_DIR): Command {
  return cmd("sh", "-c", 'cat -- "$1/owner" 2>/dev/null; rm -rf -- "$1"', "sh", lockDir);
}

/**
 * Releases the lock only when it is still ours (same owner text): a lock another operator
 * took after breaking ours with --force-unlock is left alone.
 */
export function releaseLockCommand(ownerText: string, lockDir: string = LOCK_DIR): Command {
  return cmd("sh", "-c", 'if [ "$(cat -- "$1/owner" 2>/dev/null)" = "$2" ]; then rm -rf -- "$1"; fi', "sh", lockDir, ownerText);
}

/** `<ISO time> <operator> <command>: <change>` on one line. */
export function formatAuditLine(entry: { time: Date; operator: string; command: string; change: string }): string {
  const one = (v: string) => v.replace(/[\r\n]+/g, " ").trim();
  return `${entry.time.toISOString()} ${one(entry.operator)} ${one(entry.command)}: ${one(entry.change)}`;
}

/** Appends one line to the audit log: folder 0750, file 0640, both root's. */
export function appendAuditCommand(line: string, logPath: string = AUDIT_LOG_PATH): Command {
  const script = 'umask 027; mkdir -p -m 0750 -- "${1%/*}" && printf \'%s\\n\' "$2" >> "$1" && chmod 0640 -- "$1"';
  return cmd("sh", "-c", script, "sh", logPath, line);
}

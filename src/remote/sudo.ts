/**
 * Privilege: how a command that needs root is wrapped for the SSH user.
 * Pure: returns the command to send and the stdin to feed it.
 */
import { randomBytes } from "node:crypto";
import type { Secret } from "../inventory/secret.js";
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";

export interface Privilege {
  user: string;
  /** The inventory says to use sudo for privileged commands. */
  sudo: boolean;
  sudoPassword?: Secret;
}

export interface WrappedCommand {
  command: Command;
  /** What to write to the command's stdin (undefined: nothing, stdin closed at once). */
  stdin?: Buffer;
}

/**
 * A fixed script (no interpolation: the marker and the command come in as $1 and $2):
 * skip stdin up to the marker line, then run the command on the rest. `read` takes one
 * byte at a time from a pipe, so nothing after the marker is lost.
 */
export const SKIP_TO_MARKER_SCRIPT = 'while IFS= read -r l && [ "$l" != "$1" ]; do :; done; exec sh -c "$2"';

export function needsSudo(privilege: Privilege): boolean {
  return privilege.sudo && privilege.user !== "root";
}

/**
 * root (or sudo off) → the command as it is; sudo without a password → `sudo -n` (fails
 * fast instead of hanging on a prompt); with a password → `sudo -S -p ''`, the password
 * fed as the first stdin line, never in argv.
 *
 * With a password, a marker line follows it, and the root shell skips stdin up to the
 * marker before the command runs. So the command sees exactly the caller's stdin whether
 * sudo read the password or not (cached credentials, NOPASSWD): the password can never
 * leak into an uploaded file.
 */
export function wrapPrivileged(command: Command, privilege: Privilege, stdin?: Buffer, marker = newMarker()): WrappedCommand {
  const withStdin = (c: Command, input?: Buffer): WrappedCommand => (input === undefined ? { command: c } : { command: c, stdin: input });
  if (!needsSudo(privilege)) return withStdin(command, stdin);
  if (!privilege.sudoPassword) return withStdin(cmd("sudo", "-n", "--", "sh", "-c", command), stdin);
  const wrapped = cmd("sudo", "-S", "-p", "", "--", "sh", "-c", SKIP_TO_MARKER_SCRIPT, "sh", marker, command);
  const head = Buffer.from(`${privilege.sudoPassword.reveal()}\n${marker}\n`);
  return withStdin(wrapped, stdin === undefined ? head : Buffer.concat([head, stdin]));
}

function newMarker(): string {
  return `harbor-ha-stdin-${randomBytes(8).toString("hex")}`;
}

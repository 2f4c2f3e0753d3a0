/**
 * The errors of the SSH layer. Each names the host and says what to do next;
 * none ever holds a secret (commands are masked, stderr is redacted).
 */
import { HarborHaError } from "../errors.js";
import { Redactor } from "../inventory/secret.js";
import type { Secret } from "../inventory/secret.js";

/** Connecting failed: refused, timed out, DNS, authentication, jump host. */
export class SshConnectError extends HarborHaError {
  readonly host: string;
  constructor(host: string, message: string, hint: string, cause?: unknown) {
    super(message, { hint, cause });
    this.host = host;
  }
}

/** The SSH connection went away while a command ran: reset, closed, or the host stopped answering keepalives. */
export class ConnectionLostError extends SshConnectError {
  readonly step: string;
  constructor(target: { hostName: string; address: string; port: number }, step: string, why: string, cause?: unknown) {
    super(
      target.hostName,
      `lost the SSH connection to ${target.hostName} (${target.address}:${target.port}) during step "${step}": ${why}`,
      `Check that ${target.hostName} is up and reachable (did it reboot? is the network between here and there down?), then run again: ` +
        "the step may or may not have finished there, and files already written stay consistent (old or new).",
      cause,
    );
    this.step = step;
  }
}

/** A command did not finish within its deadline; it was abandoned (its channel closed). */
export class RemoteTimeoutError extends HarborHaError {
  readonly host: string;
  readonly step: string;
  readonly timeoutMs: number;
  constructor(host: string, step: string, timeoutMs: number) {
    super(
      `no answer from ${host} for ${Number((timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0))} s ` +
        `during step "${step}": the command did not finish and was abandoned`,
      {
        hint:
          `Look at ${host}: is it overloaded, out of disk, or is the command waiting for something (ps, uptime, df)? ` +
          "harbor-ha stopped waiting and closed the command's channel; the command may still be running there. " +
          "Fix the cause and run again; files already written stay consistent (old or new).",
      },
    );
    this.host = host;
    this.step = step;
    this.timeoutMs = timeoutMs;
  }
}

export type HostKeyProblem = "unknown" | "changed" | "revoked";

/** The host presented a key known_hosts does not vouch for. Never retried, never auto-accepted when changed. */
export class HostKeyError extends HarborHaError {
  readonly host: string;
  readonly problem: HostKeyProblem;
  readonly fingerprint: string;
  constructor(host: string, problem: HostKeyProblem, fingerprint: string, message: string, hint: string) {
    super(message, { hint });
    this.host = host;
    this.problem = problem;
    this.fingerprint = fingerprint;
  }
}

export interface RemoteCommandFailure {
  host: string;
  step: string;
  /** The command as rendered with secrets masked. */
  command: string;
  /** Exit code; null when the command was killed by a signal. */
  exitCode: number | null;
  signal?: string | null;
  stderr: string;
  /** Secrets to redact from stderr (the command's own, the sudo password …). */
  secrets?: readonly Secret[];
  hint?: string;
}

const TELLING_LINES = 5;

/** The last few non-empty lines of stderr: where the cause usually is. */
export function tellingLines(stderr: string, count = TELLING_LINES): string[] {
  return stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(-count);
}

/** A remote command exited with a code the step did not accept. */
export class RemoteCommandError extends HarborHaError {
  readonly host: string;
  readonly step: string;
  readonly command: string;
  /** The remote command's exit code (null: killed by a signal). `exitCode` is harbor-ha's own. */
  readonly commandExitCode: number | null;
  readonly stderrLines: string[];

  constructor(failure: RemoteCommandFailure) {
    const redactor = new Redactor().add(...(failure.secrets ?? []));
    const stderrLines = tellingLines(redactor.redact(failure.stderr));
    const status =
      failure.exitCode === null
        ? `was killed by signal ${failure.signal ?? "unknown"}`
        : `exited with code ${failure.exitCode}${meaningOf(failure.exitCode)}`;
    const lines = [`${failure.host}: step "${failure.step}" failed: the command ${status}`, `  command: ${failure.command}`];
    if (stderrLines.length > 0) lines.push("  stderr:", ...stderrLines.map((l) => `    ${l}`));
    super(lines.join("\n"), { hint: failure.hint ?? hintFor(failure.host, failure.exitCode, stderrLines) });
    this.host = failure.host;
    this.step = failure.step;
    this.command = failure.command;
    this.commandExitCode = failure.exitCode;
    this.stderrLines = stderrLines;
  }
}

function meaningOf(code: number): string {
  if (code === 126) return " (found but not executable)";
  if (code === 127) return " (command not found)";
  if (code > 128 && code < 160) return ` (killed by signal ${code - 128})`;
  return "";
}

/** What to do next, guessed from the usual causes; callers give a better hint when they know one. */
export function hintFor(host: string, exitCode: number | null, stderrLines: readonly string[]): string {
  const text = stderrLines.join("\n");
  if (/sudo: a (terminal|password) is required/.test(text))
    return `sudo on ${host} wants a password: set ssh.sudo_password in the inventory, or allow the user NOPASSWD in sudoers.`;
  if (/incorrect password attempt/.test(text)) return `sudo on ${host} rejected the password: check ssh.sudo_password in the inventory.`;
  if (/is not in the sudoers file|not allowed to execute/.test(text))
    return `The SSH user may not use sudo on ${host}: add it to sudoers, or connect as root (ssh.user: root).`;
  if (exitCode === 127) return `A tool is missing on ${host}: install it (or let provision's preflight install it) and run again.`;
  if (/No space left on device/.test(text)) return `The disk is full on ${host}: free space and run again.`;
  return `Look at the stderr lines above on ${host}, fix the cause, and run again; files already written stay consistent (old or new).`;
}

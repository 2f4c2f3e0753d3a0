/**
 * How the layers above reach a host: run a command, write a file atomically, open a
 * tunnel, close. pyinfra's connector is the model. SshSession is the real one; the unit
 * tests give an in-memory fake (test/support/fakes/), so everything that orchestrates hosts
 * is tested without a lab. Code above remote/ names this interface, never SshSession.
 */
import type { Duplex } from "node:stream";
import type { Command } from "../shell/command.js";
import type { HostKeyAccepted } from "./host-keys.js";
import type { SshTarget } from "./target.js";
import type { UploadSpec } from "./upload.js";

/** Every command, as it is about to run, with its secrets masked (for `-v`). */
export interface CommandLogEvent {
  host: string;
  step: string;
  command: string;
}

export interface ConnectOptions {
  /** Trust on first use: append unknown host keys to known_hosts. Never replaces a changed key. */
  acceptNewHostKeys?: boolean;
  /** false (a dry run): keys trusted on first use are not written to known_hosts. */
  recordNewHostKeys?: boolean;
  /** A host key trusted on first use (its fingerprint is reported in the run's output). */
  onHostKeyAccepted?: (accepted: HostKeyAccepted) => void;
  log?: (event: CommandLogEvent) => void;
}

export interface RunOptions {
  /** Run as root (through sudo when the SSH user is not root). */
  sudo?: boolean;
  stdin?: string | Buffer;
  /** What this command is for, named in logs and errors ("write keepalived.conf"). */
  step: string;
  /** Exit codes runChecked accepts; default [0]. */
  okExitCodes?: number[];
  /**
   * How long the command may take before it is abandoned (its channel closed) and the step
   * fails with "no answer from <host>"; default DEFAULT_COMMAND_TIMEOUT_MS. Long steps
   * (install.sh, package installs, the installer upload) give their own.
   */
  timeoutMs?: number;
}

export interface RunResult {
  /** null when the command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** An atomic write: the spec, the step it belongs to, and whether it runs as root (default). */
export type UploadRequest = UploadSpec & { step?: string; sudo?: boolean; timeoutMs?: number };

export interface Transport {
  readonly target: SshTarget;
  /** Run a command; a non-zero exit is a result, not an error. A deadline passed or a lost connection throws. */
  run(command: Command, opts: RunOptions): Promise<RunResult>;
  /** Run a command and throw RemoteCommandError (host, step, masked command, exit code, stderr) unless it succeeded. */
  runChecked(command: Command, opts: RunOptions & { hint?: string }): Promise<RunResult>;
  /** Write a file atomically: the old file or the new one, never half of it; the old one kept as `<path>.harbor-ha.bak`. */
  uploadAtomic(spec: UploadRequest): Promise<void>;
  /** A TCP stream to host:port opened from this host (for a database only the cluster reaches). */
  openTunnel(host: string, port: number): Promise<Duplex>;
  close(): void;
}

/** Opens a host's transport: SshSession.connect, or a fake in tests. */
export type ConnectTransport = (target: SshTarget, opts: ConnectOptions) => Promise<Transport>;

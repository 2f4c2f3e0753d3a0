/**
 * One SSH connection to one host, opened once per run and reused by every step:
 * host keys checked against known_hosts, commands run as data (masked in logs and
 * errors), sudo handled inside, files written atomically.
 */
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Duplex } from "node:stream";
import { NodeSSH } from "node-ssh";
import type { Config } from "node-ssh";
import type { Secret } from "../inventory/secret.js";
import { renderShell } from "./command.js";
import type { Command } from "./command.js";
import { mapConnectError } from "./connect-errors.js";
import type { ConnectContext } from "./connect-errors.js";
import { RemoteCommandError, SshConnectError } from "./errors.js";
import { preferredHostKeyAlgorithms, readKnownHosts, verifyHostKey } from "./host-keys.js";
import type { HostKeyAccepted } from "./host-keys.js";
import { wrapPrivileged } from "./sudo.js";
import type { SshTarget } from "./target.js";
import { buildAtomicUpload } from "./upload.js";
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
}

export interface RunResult {
  /** null when the command was killed by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export class SshSession {
  readonly target: SshTarget;
  readonly #ssh: NodeSSH;
  readonly #jump: NodeSSH | undefined;
  readonly #log: ((event: CommandLogEvent) => void) | undefined;

  private constructor(target: SshTarget, ssh: NodeSSH, jump: NodeSSH | undefined, log?: (event: CommandLogEvent) => void) {
    this.target = target;
    this.#ssh = ssh;
    this.#jump = jump;
    this.#log = log;
  }

  static async connect(target: SshTarget, opts: ConnectOptions = {}): Promise<SshSession> {
    let jump: NodeSSH | undefined;
    let sock: Readable | undefined;
    if (target.jump) {
      const j = target.jump;
      const label = `jump host ${j.address} (for ${target.hostName})`;
      jump = await openConnection(target, { label, address: j.address, port: j.port, user: j.user }, opts);
      sock = await forwardThroughJump(jump, target, label);
    }
    try {
      const ssh = await openConnection(target, { label: target.hostName, address: target.address, port: target.port, user: target.user }, opts, sock);
      return new SshSession(target, ssh, jump, opts.log);
    } catch (err) {
      jump?.dispose();
      throw err;
    }
  }

  /** Run a command; a non-zero exit is a result, not an error (see runChecked). */
  async run(command: Command, opts: RunOptions): Promise<RunResult> {
    return (await this.#execute(command, opts)).result;
  }

  /** Run a command and throw RemoteCommandError (host, step, masked command, exit code, stderr) unless it succeeded. */
  async runChecked(command: Command, opts: RunOptions & { hint?: string }): Promise<RunResult> {
    const { result, shown } = await this.#execute(command, opts);
    const ok = opts.okExitCodes ?? [0];
    if (result.code !== null && ok.includes(result.code)) return result;
    throw new RemoteCommandError({
      host: this.target.hostName,
      step: opts.step,
      command: shown,
      exitCode: result.code,
      signal: result.signal,
      stderr: result.stderr,
      secrets: this.#secrets(command),
      ...(opts.hint === undefined ? {} : { hint: opts.hint }),
    });
  }

  /** The one place a command reaches the host: wrapped for sudo, logged masked, sent revealed. */
  async #execute(command: Command, opts: RunOptions): Promise<{ result: RunResult; shown: string }> {
    const stdin = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, "utf8");
    const wrapped = opts.sudo ? wrapPrivileged(command, this.target, stdin) : stdin === undefined ? { command } : { command, stdin };
    const shown = renderShell(wrapped.command, { reveal: false });
    this.#log?.({ host: this.target.hostName, step: opts.step, command: shown });
    try {
      const r = await this.#ssh.execCommand(renderShell(wrapped.command, { reveal: true }), {
        noTrim: true,
        ...(wrapped.stdin === undefined ? {} : { stdin: Readable.from([wrapped.stdin]) }),
      });
      return { result: { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr }, shown };
    } catch (err) {
      throw new SshConnectError(
        this.target.hostName,
        `${this.target.hostName} (${this.target.address}:${this.target.port}): the SSH connection failed during step "${opts.step}": ${(err as Error).message}`,
        "Check that the host is up and reachable, then run again; files already written stay consistent (old or new).",
        err,
      );
    }
  }

  /**
   * Write a file atomically, as root unless `sudo: false`: temp file in the same folder,
   * mode and owner set, previous version kept as `<path>.harbor-ha.bak`, then renamed.
   */
  async uploadAtomic(spec: UploadSpec & { step?: string; sudo?: boolean }): Promise<void> {
    const upload = buildAtomicUpload(spec);
    await this.runChecked(upload.command, { sudo: spec.sudo ?? true, stdin: upload.stdin, step: spec.step ?? `write ${spec.path}` });
  }

  /**
   * A TCP stream to host:port opened from this host (an SSH tunnel), e.g. to reach a
   * database that only the cluster's network can reach.
   */
  async openTunnel(host: string, port: number): Promise<Duplex> {
    try {
      return await this.#ssh.forwardOut("127.0.0.1", 0, host, port);
    } catch (err) {
      throw new SshConnectError(
        this.target.hostName,
        `${this.target.hostName}: cannot open an SSH tunnel to ${host}:${port}: ${(err as Error).message}`,
        `Check that ${this.target.hostName} reaches ${host}:${port} and that its sshd allows TCP forwarding (AllowTcpForwarding).`,
        err,
      );
    }
  }

  close(): void {
    this.#ssh.dispose();
    this.#jump?.dispose();
  }

  #secrets(command: Command): Secret[] {
    const s = [...command.secrets()];
    if (this.target.sudoPassword) s.push(this.target.sudoPassword);
    if (this.target.passphrase) s.push(this.target.passphrase);
    return s;
  }
}

interface Endpoint {
  label: string;
  address: string;
  port: number;
  user: string;
}

async function openConnection(target: SshTarget, endpoint: Endpoint, opts: ConnectOptions, sock?: Readable): Promise<NodeSSH> {
  const ctx: ConnectContext = { ...endpoint, connectTimeoutMs: target.connectTimeoutMs, ...(target.privateKeyPath ? { privateKeyPath: target.privateKeyPath } : {}) };
  const entries = await readKnownHosts(target.knownHostsPath);
  const preferred = preferredHostKeyAlgorithms(entries, endpoint.address, endpoint.port);
  let keyFailure: unknown;
  const check = { hostName: endpoint.label, address: endpoint.address, port: endpoint.port, knownHostsPath: target.knownHostsPath, acceptNewHostKeys: opts.acceptNewHostKeys ?? false };
  const config: Config = {
    ...(sock ? { sock } : { host: endpoint.address }),
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: 15_000,
    // Returns nothing: ssh2 would take a returned Promise as "accepted".
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
      verifyHostKey(check, key).then(
        (accepted) => {
          if (accepted) opts.onHostKeyAccepted?.(accepted);
          verify(true);
        },
        (err: unknown) => {
          keyFailure = err;
          verify(false);
        },
      );
    },
    ...(preferred.length > 0 ? { algorithms: { serverHostKey: { prepend: preferred } } } : {}),
    ...(await credentialsFor(target, ctx)),
  } as Config;
  const ssh = new NodeSSH();
  try {
    await ssh.connect(config);
  } catch (err) {
    ssh.dispose();
    throw keyFailure ?? mapConnectError(err, ctx);
  }
  // Errors after the handshake (a reset) surface in the next command; without a listener they would crash the process.
  ssh.connection?.on("error", () => undefined);
  return ssh;
}

async function credentialsFor(target: SshTarget, ctx: ConnectContext): Promise<Partial<Config>> {
  if (!target.privateKeyPath) {
    const agent = process.env.SSH_AUTH_SOCK;
    if (!agent)
      throw new SshConnectError(ctx.label, `${ctx.label}: no private key in the inventory and no SSH agent (SSH_AUTH_SOCK is empty)`, "Set ssh.private_key in the inventory, or start ssh-agent and add your key (ssh-add).");
    return { agent };
  }
  let privateKey: string;
  try {
    privateKey = await readFile(target.privateKeyPath, "utf8");
  } catch (err) {
    throw new SshConnectError(ctx.label, `${ctx.label}: cannot read the private key ${target.privateKeyPath}: ${(err as Error).message}`, "Check ssh.private_key in the inventory.", err);
  }
  return { privateKey, ...(target.passphrase ? { passphrase: target.passphrase.reveal() } : {}) };
}

async function forwardThroughJump(jump: NodeSSH, target: SshTarget, label: string): Promise<Readable> {
  try {
    return await jump.forwardOut("127.0.0.1", 0, target.address, target.port);
  } catch (err) {
    jump.dispose();
    throw new SshConnectError(
      target.hostName,
      `${target.hostName}: ${label} could not open a connection to ${target.address}:${target.port}: ${(err as Error).message}`,
      "Check that the host is reachable from the jump host (try: ssh -J <jump> <host>) and that sshd runs on it.",
      err,
    );
  }
}

/**
 * The real Transport: one SSH connection to one host, opened once per run and reused by
 * every step: host keys checked against known_hosts, sudo handled inside, keepalives that
 * notice a dead peer, a command abandoned (signalled, its channel closed) at its deadline.
 */
import { LOCAL_FILE_LIMITS, readBoundedText } from "../inventory/bounded-read.js";
import { Readable } from "node:stream";
import type { Duplex } from "node:stream";
import { NodeSSH } from "node-ssh";
import type { Config } from "node-ssh";
import type { ClientChannel } from "ssh2";
import type { Secret } from "../inventory/secret.js";
import { renderShell } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { ChannelLost, CommandTransport } from "./command-transport.js";
import type { ExecRequest } from "./command-transport.js";
import { mapConnectError } from "./connect-errors.js";
import type { ConnectContext } from "./connect-errors.js";
import { SshConnectError } from "./errors.js";
import { preferredHostKeyAlgorithms, readKnownHosts, verifyHostKey } from "./host-keys.js";
import { wrapPrivileged } from "./sudo.js";
import type { WrappedCommand } from "./sudo.js";
import type { SshTarget } from "./target.js";
import type { CommandLogEvent, ConnectOptions, RunResult } from "./transport.js";

// The run's vocabulary lives with the Transport interface; re-exported for older imports.
export type { CommandLogEvent, ConnectOptions, RunOptions, RunResult } from "./transport.js";

/**
 * ssh2's keepalive: a probe every KEEPALIVE_INTERVAL_MS, the connection declared dead after
 * KEEPALIVE_COUNT_MAX unanswered ones, so a host that vanished (powered off, network cut,
 * frozen) is noticed within 15-20 s instead of hanging the run.
 */
export const KEEPALIVE_INTERVAL_MS = 5_000;
export const KEEPALIVE_COUNT_MAX = 3;

export class SshSession extends CommandTransport {
  readonly #ssh: NodeSSH;
  readonly #jump: NodeSSH | undefined;
  /** Why the connection is gone, once it is: every later command fails at once with it. */
  #lost: string | undefined;

  private constructor(target: SshTarget, ssh: NodeSSH, jump: NodeSSH | undefined, log?: (event: CommandLogEvent) => void) {
    super(target, log);
    this.#ssh = ssh;
    this.#jump = jump;
    // Errors after the handshake (a reset, a keepalive timeout) would crash the process without a listener.
    ssh.connection?.on("error", (err: Error & { level?: string; code?: string }) => {
      this.#lost ??= describeConnectionError(err);
    });
    ssh.connection?.on("close", () => {
      this.#lost ??= "the connection was closed";
    });
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

  protected override prepare(command: Command, sudo: boolean, stdin: Buffer | undefined): WrappedCommand {
    return sudo ? wrapPrivileged(command, this.target, stdin) : stdin === undefined ? { command } : { command, stdin };
  }

  protected override ownSecrets(): Secret[] {
    const s: Secret[] = [];
    if (this.target.sudoPassword) s.push(this.target.sudoPassword);
    if (this.target.passphrase) s.push(this.target.passphrase);
    return s;
  }

  /** Sends the command revealed; on its deadline, asks sshd to signal it and closes its channel. */
  protected async exec(request: ExecRequest): Promise<RunResult> {
    if (this.#lost) throw new ChannelLost(this.#lost);
    let channel: ClientChannel | undefined;
    const abandon = (): void => {
      try {
        channel?.signal("TERM");
      } catch {
        // Best effort: OpenSSH's sshd ignores signal requests on sessions without a terminal, so
        // the command may go on running on the host; closing the channel ends our side of it.
      }
      channel?.close();
    };
    request.signal.addEventListener("abort", abandon, { once: true });
    try {
      const r = await this.#ssh.execCommand(renderShell(request.command, { reveal: true }), {
        noTrim: true,
        onChannel: (c) => {
          channel = c;
          if (request.signal.aborted) abandon();
        },
        ...(request.stdin === undefined ? {} : { stdin: Readable.from([request.stdin]) }),
      });
      if (r.code === null && r.signal === null) {
        // No exit status: the channel ended with the connection. Let its error or close event name why.
        await new Promise((resolve) => setImmediate(resolve));
        throw new ChannelLost(
          this.#lost ?? "the command ended without an exit status (the connection dropped, or sshd on the host ended the session)",
        );
      }
      return { code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      if (err instanceof ChannelLost) throw err;
      throw new ChannelLost(this.#lost ?? (err as Error).message, { cause: err });
    } finally {
      request.signal.removeEventListener("abort", abandon);
    }
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
    this.#lost ??= "the session was closed";
    this.#ssh.dispose();
    this.#jump?.dispose();
  }
}

/** ssh2's error after the handshake, in words. */
export function describeConnectionError(err: { message?: string; level?: string; code?: string }): string {
  if (err.level === "client-timeout")
    return `the host stopped answering (no answer to keepalives for ${((KEEPALIVE_COUNT_MAX + 1) * KEEPALIVE_INTERVAL_MS) / 1000} s)`;
  if (err.code === "ECONNRESET") return "the connection was reset";
  if (err.code === "EPIPE") return "the connection was broken (EPIPE)";
  return err.message ?? "the connection failed";
}

interface Endpoint {
  label: string;
  address: string;
  port: number;
  user: string;
}

async function openConnection(target: SshTarget, endpoint: Endpoint, opts: ConnectOptions, sock?: Readable): Promise<NodeSSH> {
  const ctx: ConnectContext = {
    ...endpoint,
    connectTimeoutMs: target.connectTimeoutMs,
    ...(target.privateKeyPath ? { privateKeyPath: target.privateKeyPath } : {}),
  };
  const entries = await readKnownHosts(target.knownHostsPath);
  const preferred = preferredHostKeyAlgorithms(entries, endpoint.address, endpoint.port);
  let keyFailure: unknown;
  const check = {
    hostName: endpoint.label,
    address: endpoint.address,
    port: endpoint.port,
    knownHostsPath: target.knownHostsPath,
    acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    recordNewHostKeys: opts.recordNewHostKeys ?? true,
  };
  const config: Config = {
    ...(sock ? { sock } : { host: endpoint.address }),
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: KEEPALIVE_COUNT_MAX,
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
  // Until the session listens (right after this returns): an error without a listener would crash the process.
  ssh.connection?.on("error", () => undefined);
  return ssh;
}

async function credentialsFor(target: SshTarget, ctx: ConnectContext): Promise<Partial<Config>> {
  if (!target.privateKeyPath) {
    const agent = process.env.SSH_AUTH_SOCK;
    if (!agent)
      throw new SshConnectError(
        ctx.label,
        `${ctx.label}: no private key in the inventory and no SSH agent (SSH_AUTH_SOCK is empty)`,
        "Set ssh.private_key in the inventory, or start ssh-agent and add your key (ssh-add).",
      );
    return { agent };
  }
  let privateKey: string;
  try {
    privateKey = await readBoundedText(target.privateKeyPath, LOCAL_FILE_LIMITS.small);
  } catch (err) {
    throw new SshConnectError(
      ctx.label,
      `${ctx.label}: cannot read the private key ${target.privateKeyPath}: ${(err as Error).message}`,
      "Check ssh.private_key in the inventory.",
      err,
    );
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

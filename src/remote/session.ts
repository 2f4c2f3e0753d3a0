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
import { preferredHostKeyAlgorithms, readKnownHostsFiles, verifyHostKey } from "./host-keys.js";
import { scanHostCertificates } from "./keyscan.js";
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
  /** The jump hosts' connections, first hop first. */
  readonly #jumps: NodeSSH[];
  /** Why the connection is gone, once it is: every later command fails at once with it. */
  #lost: string | undefined;

  private constructor(target: SshTarget, ssh: NodeSSH, jumps: NodeSSH[], log?: (event: CommandLogEvent) => void) {
    super(target, log);
    this.#ssh = ssh;
    this.#jumps = jumps;
    // Errors after the handshake (a reset, a keepalive timeout) would crash the process without a listener.
    ssh.connection?.on("error", (err: Error & { level?: string; code?: string }) => {
      this.#lost ??= describeConnectionError(err);
    });
    ssh.connection?.on("close", () => {
      this.#lost ??= "the connection was closed";
    });
  }

  /** Connects hop by hop (ProxyJump a,b: a directly, b through a, the host through b). */
  static async connect(target: SshTarget, opts: ConnectOptions = {}): Promise<SshSession> {
    const jumps: NodeSSH[] = [];
    let sock: Readable | undefined;
    try {
      for (const [i, j] of (target.jumps ?? []).entries()) {
        const label = `jump host ${j.address} (for ${target.hostName})`;
        const endpoint: Endpoint = {
          label,
          address: j.address,
          port: j.port,
          user: j.user,
          knownHostsName: j.knownHostsName ?? j.address,
          ...(j.privateKeyPath ? { privateKeyPath: j.privateKeyPath } : target.privateKeyPath ? { privateKeyPath: target.privateKeyPath } : {}),
          identitiesOnly: j.identitiesOnly ?? false,
        };
        const jump = await openConnection(target, endpoint, opts, sock);
        jumps.push(jump);
        const next = target.jumps?.[i + 1] ?? { address: target.address, port: target.port };
        sock = await forwardThroughJump(jump, target, label, next);
      }
      const ssh = await openConnection(
        target,
        {
          label: target.hostName,
          address: target.address,
          port: target.port,
          user: target.user,
          knownHostsName: target.knownHostsName ?? target.address,
          ...(target.privateKeyPath ? { privateKeyPath: target.privateKeyPath } : {}),
          identitiesOnly: target.identitiesOnly ?? false,
        },
        opts,
        sock,
      );
      return new SshSession(target, ssh, jumps, opts.log);
    } catch (err) {
      for (const j of jumps) j.dispose();
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
    for (const j of [...this.#jumps].reverse()) j.dispose();
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
  /** The name known_hosts holds its key under. */
  knownHostsName: string;
  privateKeyPath?: string;
  /** The key only, never the agent's (IdentitiesOnly). */
  identitiesOnly: boolean;
}

async function openConnection(target: SshTarget, endpoint: Endpoint, opts: ConnectOptions, sock?: Readable): Promise<NodeSSH> {
  const ctx: ConnectContext = {
    label: endpoint.label,
    address: endpoint.address,
    port: endpoint.port,
    user: endpoint.user,
    connectTimeoutMs: target.connectTimeoutMs,
    ...(endpoint.privateKeyPath ? { privateKeyPath: endpoint.privateKeyPath } : {}),
  };
  const knownHostsPaths = [target.knownHostsPath, ...(target.otherKnownHostsPaths ?? [])];
  const entries = await readKnownHostsFiles(knownHostsPaths);
  const preferred = preferredHostKeyAlgorithms(entries, endpoint.knownHostsName, endpoint.port);
  let keyFailure: unknown;
  const check = {
    hostName: endpoint.label,
    address: endpoint.knownHostsName,
    port: endpoint.port,
    knownHostsPath: target.knownHostsPath,
    ...(target.otherKnownHostsPaths ? { otherKnownHostsPaths: target.otherKnownHostsPaths } : {}),
    acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    recordNewHostKeys: opts.recordNewHostKeys ?? true,
    // Certificates are asked for apart (ssh-keyscan), which reaches only a host this machine reaches directly.
    ...(sock ? {} : { fetchCertificates: () => scanHostCertificates(endpoint.address, endpoint.port, target.connectTimeoutMs) }),
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
    ...(await credentialsFor(target, endpoint, ctx)),
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

/** The key (IdentityFile or ssh.private_key) and, unless IdentitiesOnly, the agent too, as ssh offers them. */
async function credentialsFor(target: SshTarget, endpoint: Endpoint, ctx: ConnectContext): Promise<Partial<Config>> {
  const agent = endpoint.identitiesOnly ? undefined : process.env.SSH_AUTH_SOCK || undefined;
  if (!endpoint.privateKeyPath) {
    if (!agent)
      throw new SshConnectError(
        ctx.label,
        `${ctx.label}: no private key in the inventory or the ssh config, and no SSH agent (SSH_AUTH_SOCK is empty)`,
        "Set ssh.private_key in the inventory (or IdentityFile in your ssh config), or start ssh-agent and add your key (ssh-add).",
      );
    return { agent };
  }
  let privateKey: string;
  try {
    privateKey = await readBoundedText(endpoint.privateKeyPath, LOCAL_FILE_LIMITS.small);
  } catch (err) {
    throw new SshConnectError(
      ctx.label,
      `${ctx.label}: cannot read the private key ${endpoint.privateKeyPath}: ${(err as Error).message}`,
      "Check ssh.private_key in the inventory (or IdentityFile in your ssh config).",
      err,
    );
  }
  return { privateKey, ...(target.passphrase ? { passphrase: target.passphrase.reveal() } : {}), ...(agent ? { agent } : {}) };
}

async function forwardThroughJump(jump: NodeSSH, target: SshTarget, label: string, next: { address: string; port: number }): Promise<Readable> {
  try {
    return await jump.forwardOut("127.0.0.1", 0, next.address, next.port);
  } catch (err) {
    throw new SshConnectError(
      target.hostName,
      `${target.hostName}: ${label} could not open a connection to ${next.address}:${next.port}: ${(err as Error).message}`,
      "Check that the next hop is reachable from the jump host (try: ssh -J <jump> <host>) and that sshd runs on it.",
      err,
    );
  }
}

/**
 * What every transport does the same way, whatever carries the bytes: commands masked in
 * logs and errors, a deadline on every command, a lost connection named as such, exit
 * codes checked, files written atomically. A transport only sends one command and returns
 * its result (exec). SshSession and the tests' fake both extend this class, so the fake
 * exercises the very code that words the errors.
 */
import { Redactor } from "../inventory/secret.js";
import type { Secret } from "../inventory/secret.js";
import { renderShell } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { ConnectionLostError, RemoteCommandError, RemoteTimeoutError } from "./errors.js";
import type { WrappedCommand } from "./sudo.js";
import type { SshTarget } from "./target.js";
import type { CommandLogEvent, RunOptions, RunResult, Transport, UploadRequest } from "./transport.js";
import { buildAtomicUpload } from "./upload.js";
import type { Duplex } from "node:stream";

/** An ordinary command's deadline: far above any quick command, well below "the run hangs". */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** One command as the transport sends it. */
export interface ExecRequest {
  /** Ready to send (wrapped for sudo where the transport needs it); reveal it only on the wire. */
  command: Command;
  stdin?: Buffer;
  step: string;
  /** Aborted when the deadline passes: the transport abandons the command (closes its channel). */
  signal: AbortSignal;
}

/** Thrown by exec when the connection itself is gone; `why` says how ("reset by the peer"). */
export class ChannelLost extends Error {
  constructor(
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(why, options);
  }
}

export abstract class CommandTransport implements Transport {
  readonly target: SshTarget;
  readonly #log: ((event: CommandLogEvent) => void) | undefined;

  protected constructor(target: SshTarget, log?: (event: CommandLogEvent) => void) {
    this.target = target;
    this.#log = log;
  }

  /** Sends one command and waits for its exit; throws ChannelLost when the connection dropped. */
  protected abstract exec(request: ExecRequest): Promise<RunResult>;

  /** The command as it must be sent to run as root when asked; as it is by default. */
  protected prepare(command: Command, _sudo: boolean, stdin: Buffer | undefined): WrappedCommand {
    return stdin === undefined ? { command } : { command, stdin };
  }

  /** Secrets the transport itself adds to a command (a sudo password), to redact from its stderr. */
  protected ownSecrets(): Secret[] {
    return [];
  }

  abstract openTunnel(host: string, port: number): Promise<Duplex>;
  abstract close(): void;

  async run(command: Command, opts: RunOptions): Promise<RunResult> {
    return (await this.#execute(command, opts)).result;
  }

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
      secrets: [...command.secrets(), ...this.ownSecrets()],
      ...(opts.hint === undefined ? {} : { hint: opts.hint }),
    });
  }

  /**
   * Writes a file atomically, as root unless `sudo: false`: temp file in the same folder,
   * mode and owner set, previous version kept as `<path>.harbor-ha.bak`, then renamed.
   */
  async uploadAtomic(spec: UploadRequest): Promise<void> {
    const upload = buildAtomicUpload(spec);
    await this.runChecked(upload.command, {
      sudo: spec.sudo ?? true,
      stdin: upload.stdin,
      step: spec.step ?? `write ${spec.path}`,
      ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
    });
  }

  /** The one place a command reaches the host: prepared, logged masked, sent, bounded by its deadline. */
  async #execute(command: Command, opts: RunOptions): Promise<{ result: RunResult; shown: string }> {
    const stdin = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, "utf8");
    const wrapped = this.prepare(command, opts.sudo ?? false, stdin);
    const shown = renderShell(wrapped.command, { reveal: false });
    this.#log?.({ host: this.target.hostName, step: opts.step, command: shown });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const abandon = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandon.abort();
        reject(new RemoteTimeoutError(this.target.hostName, opts.step, timeoutMs));
      }, timeoutMs);
    });
    const running = this.exec({
      command: wrapped.command,
      step: opts.step,
      signal: abandon.signal,
      ...(wrapped.stdin === undefined ? {} : { stdin: wrapped.stdin }),
    });
    // Whichever loses the race settles later, unobserved.
    running.catch(() => undefined);
    deadline.catch(() => undefined);
    try {
      return { result: await Promise.race([running, deadline]), shown };
    } catch (err) {
      if (err instanceof RemoteTimeoutError) throw err;
      const why = err instanceof ChannelLost ? err.why : (err as Error).message;
      throw new ConnectionLostError(this.target, opts.step, new Redactor().add(...command.secrets(), ...this.ownSecrets()).redact(why), err);
    } finally {
      clearTimeout(timer);
    }
  }
}

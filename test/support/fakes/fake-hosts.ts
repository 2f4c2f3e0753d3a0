/**
 * In-memory hosts for the orchestration tests: a Transport per host (the real
 * CommandTransport base, so deadlines, lost connections, exit codes and atomic uploads go
 * through the production code) over a scripted host with a file map. Every command is
 * recorded in one ordered list across hosts. A host answers
 *   - the atomic upload: checks the content against its sha256 (as the real script does),
 *     keeps the previous file as <path>.harbor-ha.bak, writes the new one whole;
 *   - the facts script: from its files and the HostFacts the test gave, in the real facts.sh's
 *     words (fake-facts.ts, from its answers on captured hosts);
 *   - `rm -f -- <paths>` and `touch -- <paths>` (alone or joined by &&): on its file map;
 *   - anything else: exit 0 and no output, unless a handler says otherwise.
 * A handler matches the command itself, never the step's title: a command as src's builder
 * makes it (a CommandShape, some of its words free and read back by name), a RegExp on the
 * masked command, or a predicate on the call. It may answer, fail, hang until the deadline, or
 * drop the connection.
 */
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import { emptyFacts } from "../../../src/facts/parse.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { Secret } from "../../../src/inventory/secret.js";
import { Command, renderShell } from "../../../src/shell/command.js";
import { ChannelLost, CommandTransport } from "../../../src/remote/command-transport.js";
import type { ExecRequest } from "../../../src/remote/command-transport.js";
import { SshConnectError } from "../../../src/remote/errors.js";
import { SshPool } from "../../../src/remote/pool.js";
import type { PoolOptions } from "../../../src/remote/pool.js";
import type { SshTarget } from "../../../src/remote/target.js";
import type { CommandLogEvent, ConnectOptions, ConnectTransport, RunResult } from "../../../src/remote/transport.js";
import { ATOMIC_UPLOAD_SCRIPT, BACKUP_SUFFIX, UPLOAD_TRUNCATED_EXIT } from "../../../src/remote/upload.js";
import { answerFacts } from "./fake-facts.js";

/** The facts command's $0 (gather/facts.ts runs `sh -c <facts.sh> harbor-ha-facts`). */
const FACTS_SCRIPT_NAME = "harbor-ha-facts";

export interface FakeFile {
  content: Buffer;
  mode: number;
  owner: string;
  group: string;
}

export type CallKind = "facts" | "upload" | "run";

export interface FakeCall {
  host: string;
  /** The step's title: for the traces a test compares, never for answering. */
  step: string;
  kind: CallKind;
  /** The command as logs show it (secrets masked). */
  command: string;
  /** The command's words, revealed: for handlers that read an argument. */
  argv: readonly string[];
  /** The upload's target path. */
  path?: string;
  /** The free words of the CommandShape that matched, by name. */
  values?: Readonly<Record<string, string>>;
  /** What happened: "exit 0", "exit 3", "hung" (abandoned at its deadline), "dropped". */
  outcome?: string;
}

/** A handler's answer: a result (missing fields: exit 0, no output), or "hang", "drop", or "default" (what the host does by itself). */
export type Reply = Partial<RunResult> | "hang" | "drop" | "default";
export type Handler = (call: FakeCall, stdin: Buffer | undefined, host: FakeHost) => Reply | Promise<Reply>;
export type Match = Command | CommandShape | RegExp | ((call: FakeCall) => boolean);

/**
 * A command as one of src's builders makes it, with some words free: the builder is called with
 * a placeholder for each free value, and a call matches when its words equal the template's
 * where the template has no placeholder. The placeholders' words are the call's `values`.
 */
export class CommandShape {
  readonly #words: readonly string[];

  constructor(
    template: Command,
    readonly placeholders: readonly string[],
  ) {
    this.#words = words(template);
    for (const p of placeholders) if (!this.#words.includes(p)) throw new Error(`the placeholder ${p} is no word of ${this.#words.join(" ")}`);
  }

  /** The free words by name when argv has this shape, else undefined. */
  read(argv: readonly string[]): Record<string, string> | undefined {
    if (argv.length !== this.#words.length) return undefined;
    const values: Record<string, string> = {};
    for (const [i, w] of this.#words.entries()) {
      if (this.placeholders.includes(w)) values[w] = argv[i] ?? "";
      else if (w !== argv[i]) return undefined;
    }
    return values;
  }
}

/** The command `template` with the words equal to `placeholders` free: `shapeOf(releaseLockCommand("OWNER"), "OWNER")`. */
export function shapeOf(template: Command, ...placeholders: string[]): CommandShape {
  return new CommandShape(template, placeholders);
}

/** The upload of the file at `path`. */
export function writes(path: string): Match {
  return (call) => call.kind === "upload" && call.path === path;
}

/** A command that includes `part`, as src's builder makes it (one command of an `a && b` chain, say). */
export function including(part: Command): Match {
  const shown = renderShell(part, { reveal: false });
  return (call) => call.command.includes(shown);
}

/** The facts script's run (its queries on stdin). */
export const gathersFacts: Match = (call) => call.kind === "facts";

function matches(m: Match, call: FakeCall): boolean {
  if (m instanceof RegExp) return m.test(call.command);
  if (m instanceof Command || m instanceof CommandShape) {
    const values = (m instanceof Command ? shapeOf(m) : m).read(call.argv);
    if (values) call.values = values;
    return values !== undefined;
  }
  return m(call);
}

/** `sh -c <script> <$0> <args…>`, the form of the upload and facts commands, read into its parts. */
function shellScript(argv: readonly string[]): { script: string; name: string; args: readonly string[] } | undefined {
  const [sh, c, script, name, ...args] = argv;
  return sh === "sh" && c === "-c" && script !== undefined && name !== undefined ? { script, name, args } : undefined;
}

/** The command's words as the host's shell receives them (a nested command is one word). */
function words(command: Command): string[] {
  return command.argv.map((a) =>
    typeof a === "string" ? a : a instanceof Command ? renderShell(a, { reveal: true }) : a instanceof Secret ? a.reveal() : a.text,
  );
}

export class FakeHost {
  readonly files = new Map<string, FakeFile>();
  facts: HostFacts = emptyFacts();
  /** Why the connection is gone, once dropped: every later command fails with it. */
  dropped: string | undefined;
  /** When set, connecting fails with this message. */
  unreachable: string | undefined;
  readonly #handlers: Array<{ match: Match; handle: Handler }> = [];

  constructor(
    readonly name: string,
    private readonly net: FakeNetwork,
  ) {}

  /** Answers the commands that match; the latest registration wins. */
  on(match: Match, reply: Reply | Handler): this {
    this.#handlers.unshift({ match, handle: typeof reply === "function" ? reply : () => reply });
    return this;
  }

  write(path: string, content: string | Buffer, mode = 0o644, owner = "root", group = owner): void {
    this.files.set(path, { content: Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8"), mode, owner, group });
  }

  read(path: string): string | undefined {
    return this.files.get(path)?.content.toString("utf8");
  }

  async execute(req: ExecRequest): Promise<RunResult> {
    const argv = words(req.command);
    const script = shellScript(argv);
    const kind: CallKind = script?.script === ATOMIC_UPLOAD_SCRIPT ? "upload" : script?.name === FACTS_SCRIPT_NAME ? "facts" : "run";
    const call: FakeCall = {
      host: this.name,
      step: req.step,
      kind,
      command: renderShell(req.command, { reveal: false }),
      argv,
      ...(kind === "upload" ? { path: script?.args[0] } : {}),
    };
    this.net.calls.push(call);
    if (this.dropped) {
      call.outcome = "dropped";
      throw new ChannelLost(this.dropped);
    }
    const handler = this.#handlers.find((h) => matches(h.match, call));
    const reply = handler ? await handler.handle(call, req.stdin, this) : "default";
    if (reply === "hang") {
      call.outcome = "hung";
      return new Promise((resolve) =>
        req.signal.addEventListener("abort", () => resolve({ code: null, signal: null, stdout: "", stderr: "" }), { once: true }),
      );
    }
    if (reply === "drop") {
      call.outcome = "dropped";
      this.dropped = "the connection was reset";
      throw new ChannelLost(this.dropped);
    }
    const result = reply === "default" ? this.#byItself(call, req.stdin) : { code: 0, signal: null, stdout: "", stderr: "", ...reply };
    call.outcome = result.code === null ? `signal ${result.signal}` : `exit ${result.code}`;
    return result;
  }

  /** `rm -f -- …` and `touch -- …`, each part of an `a && b` chain; anything else changes nothing. */
  #fileCommands(argv: readonly string[]): void {
    const parts: string[][] = [[]];
    for (const w of argv) {
      if (w === "&&") parts.push([]);
      else parts[parts.length - 1]?.push(w);
    }
    for (const part of parts) {
      if (part[0] === "rm") for (const p of operands(part)) this.files.delete(p);
      if (part[0] === "touch") for (const p of operands(part)) if (!this.files.has(p)) this.write(p, "");
    }
  }

  #byItself(call: FakeCall, stdin: Buffer | undefined): RunResult {
    const ok = (stdout = ""): RunResult => ({ code: 0, signal: null, stdout, stderr: "" });
    if (call.kind === "facts") return ok(answerFacts(stdin?.toString("utf8") ?? "", this.facts, this.files));
    if (call.kind === "run") {
      this.#fileCommands(call.argv);
      return ok();
    }
    // The upload script's operands: path, mode, owner:group and the content's sha256 ($1..$4).
    const [path = "", mode = "0644", owner = "root:root", sha256 = ""] = shellScript(call.argv)?.args ?? [];
    const content = stdin ?? Buffer.alloc(0);
    if (createHash("sha256").update(content).digest("hex") !== sha256) {
      return {
        code: UPLOAD_TRUNCATED_EXIT,
        signal: null,
        stdout: "",
        stderr: `${path}: the content arrived incomplete (checksum mismatch); the file was left as it was\n`,
      };
    }
    const previous = this.files.get(path);
    if (previous) this.files.set(`${path}${BACKUP_SUFFIX}`, previous);
    const [user = "root", group = user] = owner.split(":");
    this.files.set(path, { content, mode: parseInt(mode, 8), owner: user, group });
    return ok();
  }
}

/** The operands of a simple command: the words after its `--`. */
function operands(words: readonly string[]): string[] {
  return words.slice(words.indexOf("--") + 1);
}

class FakeTransport extends CommandTransport {
  #closed = false;

  constructor(
    target: SshTarget,
    private readonly host: FakeHost,
    private readonly net: FakeNetwork,
    log?: (event: CommandLogEvent) => void,
  ) {
    super(target, log);
  }

  protected exec(request: ExecRequest): Promise<RunResult> {
    if (this.#closed) return Promise.reject(new ChannelLost("the session was closed"));
    return this.host.execute(request);
  }

  openTunnel(): Promise<Duplex> {
    return Promise.reject(new Error("the fake hosts have no tunnels"));
  }

  close(): void {
    this.#closed = true;
    this.net.closed.push(this.host.name);
  }
}

/** An SSH target for a fake host: root (no sudo wrapping), nothing read from disk. */
export function fakeTarget(name: string, address = `198.51.100.${name.length}`): SshTarget {
  return { hostName: name, address, port: 22, user: "root", knownHostsPath: "/nonexistent/known_hosts", sudo: false, connectTimeoutMs: 1000 };
}

export class FakeNetwork {
  readonly hosts = new Map<string, FakeHost>();
  /** Every command on every host, in the order they reached the hosts. */
  readonly calls: FakeCall[] = [];
  readonly connects: string[] = [];
  readonly closed: string[] = [];

  host(name: string): FakeHost {
    let h = this.hosts.get(name);
    if (!h) {
      h = new FakeHost(name, this);
      this.hosts.set(name, h);
    }
    return h;
  }

  readonly connect: ConnectTransport = async (target: SshTarget, opts: ConnectOptions) => {
    const host = this.host(target.hostName);
    this.connects.push(target.hostName);
    if (host.unreachable)
      throw new SshConnectError(
        target.hostName,
        `${target.hostName} (${target.user}@${target.address}:${target.port}): ${host.unreachable}`,
        "Check that the host is up.",
      );
    return new FakeTransport(target, host, this, opts.log);
  };

  /** A pool over fake hosts, as the run would open one. */
  pool(names: readonly string[], opts: Omit<PoolOptions, "connect"> = {}): SshPool {
    return new SshPool(
      names.map((n) => fakeTarget(n)),
      { ...opts, connect: this.connect },
    );
  }

  /** "host: step" of every call, in order; optionally only those whose step matches. */
  trace(filter?: RegExp): string[] {
    return this.calls.filter((c) => !filter || filter.test(c.step)).map((c) => `${c.host}: ${c.step}`);
  }
}

/**
 * The run's host sessions: one Transport per host (SSH unless a test gives its own
 * connect), opened on first use and reused by every step, with one concurrency limit
 * (--parallel) for all work across hosts.
 */
import pLimit from "p-limit";
import type { LimitFunction } from "p-limit";
import { InternalError } from "../errors.js";
import { SshSession } from "./session.js";
import type { SshTarget } from "./target.js";
import type { ConnectOptions, ConnectTransport, Transport } from "./transport.js";

export const DEFAULT_PARALLEL = 10;

export interface PoolOptions extends ConnectOptions {
  /** Hosts worked on at once. */
  parallel?: number;
  /** How to open a session; tests and the lab may give their own. */
  connect?: ConnectTransport;
}

export class SshPool {
  readonly #targets = new Map<string, SshTarget>();
  readonly #sessions = new Map<string, Promise<Transport>>();
  readonly #limit: LimitFunction;
  readonly #opts: PoolOptions;

  constructor(targets: readonly SshTarget[], opts: PoolOptions = {}) {
    for (const t of targets) this.#targets.set(t.hostName, t);
    this.#limit = pLimit(Math.max(1, opts.parallel ?? DEFAULT_PARALLEL));
    this.#opts = opts;
  }

  hostNames(): string[] {
    return [...this.#targets.keys()];
  }

  /** The host's session, connecting on first use; a failed connect is not retried within the run. */
  session(hostName: string): Promise<Transport> {
    const existing = this.#sessions.get(hostName);
    if (existing) return existing;
    const target = this.#targets.get(hostName);
    if (!target) return Promise.reject(new InternalError(`no SSH target for host "${hostName}"`));
    const connect: ConnectTransport = this.#opts.connect ?? ((t, o) => SshSession.connect(t, o));
    const { parallel: _p, connect: _c, ...connectOpts } = this.#opts;
    const session = connect(target, connectOpts);
    session.catch(() => undefined); // observed by whoever awaits it
    this.#sessions.set(hostName, session);
    return session;
  }

  /** Run work on one host within the shared concurrency limit. */
  withSession<T>(hostName: string, work: (session: Transport) => Promise<T>): Promise<T> {
    return this.#limit(async () => {
      return work(await this.session(hostName));
    });
  }

  /**
   * Run work on every named host, up to `parallel` at once. Every host finishes (or fails)
   * its work: one host's failure does not abort the others mid-step.
   */
  forEachHost<T>(hostNames: readonly string[], work: (session: Transport, hostName: string) => Promise<T>): Promise<Array<PromiseSettledResult<T>>> {
    return Promise.allSettled(hostNames.map((h) => this.withSession(h, (s) => work(s, h))));
  }

  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    const settled = await Promise.allSettled(sessions);
    for (const s of settled) if (s.status === "fulfilled") s.value.close();
  }
}

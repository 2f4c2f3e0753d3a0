/**
 * The rolling state machine: one small object per Harbor node with a clear life cycle
 *   pending → draining → applying → health → undraining → done
 * or → failed from any of them (a failed node stays drained: it is not put back in
 * service). Batches of nodes roll one after the other; a failure stops the roll and every
 * node not yet started is left as it was. The I/O edges (drain, apply, probe, undrain,
 * clock) are given, so the machine is tested with fakes.
 */

export type NodeRollState = "pending" | "draining" | "applying" | "health" | "undraining" | "done" | "failed";

export type { RollNodeRef as RollNode } from "../lb/mode.js";
import type { RollNodeRef as RollNode } from "../lb/mode.js";

export { realClock };
export type { Clock } from "../time/poll.js";
import type { Clock } from "../time/poll.js";
import { pollUntilFine, realClock } from "../time/poll.js";
import { DEPENDENCY_STRIKES } from "../execute/wait-step.js";

export interface RollIO {
  /** Marks the node drained on every load balancer and waits until their checkers took it out. */
  drain(node: RollNode): Promise<void>;
  /** Applies the node's planned steps (Harbor's installer among them when its inputs changed); returns the titles done. */
  apply(node: RollNode): Promise<string[]>;
  /** One health probe: undefined when the node passes, else why not. */
  probe(node: RollNode): Promise<string | undefined>;
  /** What Harbor on the node depends on and cannot reach now (database, Redis, shared storage), asked while its gate fails. */
  dependencies?(node: RollNode): Promise<string[]>;
  /** Removes the drain markers and waits until the checkers took the node back. */
  undrain(node: RollNode): Promise<void>;
  /** Told of every state change, for progress output. */
  onState?(node: RollNode, state: NodeRollState, detail?: string): void;
}

export interface GateOptions {
  timeoutMs: number;
  firstIntervalMs: number;
  maxIntervalMs: number;
}

/** The timeout also bounds Harbor's start-up after install.sh (the same --health-timeout-s): a few minutes. */
export const DEFAULT_GATE: GateOptions = { timeoutMs: 300_000, firstIntervalMs: 500, maxIntervalMs: 5_000 };

export interface NodeRollOutcome {
  node: string;
  address: string;
  state: "done" | "failed";
  /** Step titles applied on the node. */
  changes: string[];
  /** The state the node failed in. */
  failedIn?: NodeRollState;
  error?: string;
  ms: number;
}

/** Calls probe until it passes or the deadline passes, the interval growing; returns the last reason it failed, or undefined on success. */
export function pollHealth(probe: () => Promise<string | undefined>, clock: Clock, gate: GateOptions): Promise<string | undefined> {
  return pollUntilFine(probe, gate, clock);
}

export class NodeRoll {
  #state: NodeRollState = "pending";
  #changes: string[] = [];
  #downStreak = 0;

  constructor(
    readonly node: RollNode,
    private readonly io: RollIO,
    private readonly clock: Clock,
    private readonly gate: GateOptions,
  ) {}

  get state(): NodeRollState {
    return this.#state;
  }

  async run(): Promise<NodeRollOutcome> {
    const started = this.clock.now();
    const outcome = (state: "done" | "failed", extra: Partial<NodeRollOutcome> = {}): NodeRollOutcome => ({
      node: this.node.name,
      address: this.node.address,
      state,
      changes: this.#changes,
      ms: this.clock.now() - started,
      ...extra,
    });
    try {
      this.#enter("draining");
      await this.io.drain(this.node);
      this.#enter("applying");
      this.#changes = await this.io.apply(this.node);
      this.#enter("health");
      const reason = await pollHealth(() => this.#probeWatchingDependencies(), this.clock, this.gate);
      if (reason !== undefined) throw new Error(`health gate: still failing after ${Math.round(this.gate.timeoutMs / 1000)} s: ${reason}`);
      this.#enter("undraining");
      await this.io.undrain(this.node);
      this.#enter("done");
      return outcome("done");
    } catch (err) {
      const failedIn = this.#state;
      const error = err instanceof Error ? err.message : String(err);
      this.#enter("failed", error);
      return outcome("failed", { failedIn, error });
    }
  }

  /**
   * One health probe; while it fails, the node's dependencies are asked too, and when one is
   * down DEPENDENCY_STRIKES probes in a row the gate stops at once, naming it: the node cannot
   * pass before it is back, and waiting out the gate's timeout would only hide why.
   */
  async #probeWatchingDependencies(): Promise<string | undefined> {
    const reason = await this.io.probe(this.node);
    if (reason === undefined || !this.io.dependencies) return reason;
    const down = await this.io.dependencies(this.node);
    this.#downStreak = down.length > 0 ? this.#downStreak + 1 : 0;
    if (this.#downStreak >= DEPENDENCY_STRIKES)
      throw new Error(`health gate: ${down.join("; ")} (seen from ${this.node.name} ${DEPENDENCY_STRIKES} times in a row); ${reason}`);
    return reason;
  }

  #enter(state: NodeRollState, detail?: string): void {
    this.#state = state;
    this.io.onState?.(this.node, state, detail);
  }
}

export interface RollResult {
  /** Nodes that went through the machine, in the order they finished. */
  rolled: NodeRollOutcome[];
  /** Nodes never started because the roll stopped (or was interrupted) before them. */
  notTouched: RollNode[];
  stopped: boolean;
}

/** Rolls batch after batch; the nodes of a batch at once. Stops after a batch in which any node failed, or when interrupted. */
export async function rollBatches(
  batches: readonly (readonly RollNode[])[],
  io: RollIO,
  opts: { clock?: Clock; gate?: GateOptions; isInterrupted?: () => boolean } = {},
): Promise<RollResult> {
  const clock = opts.clock ?? realClock;
  const gate = opts.gate ?? DEFAULT_GATE;
  const result: RollResult = { rolled: [], notTouched: [], stopped: false };
  for (const [i, batch] of batches.entries()) {
    if (result.stopped || opts.isInterrupted?.()) {
      result.stopped = true;
      result.notTouched.push(...batches.slice(i).flat());
      break;
    }
    const outcomes = await Promise.all(batch.map((n) => new NodeRoll(n, io, clock, gate).run()));
    result.rolled.push(...outcomes);
    if (outcomes.some((o) => o.state === "failed")) result.stopped = true;
  }
  return result;
}

/**
 * Runs one phase of a plan: hosts in parallel (up to the pool's limit), each host's
 * steps in order (consecutive file writes of a host in one round trip: step-batches.ts). A failing host stops
 * its own remaining steps; the other hosts finish
 * theirs; the caller starts no later phase.
 */
import type { SshPool } from "../remote/pool.js";
import type { Phase, Plan, Step } from "../steps/types.js";
import { executeBatch } from "./execute-step.js";
import { batchSteps } from "./step-batches.js";
import { clearPendingCommand, markPendingCommand, pendingBookkeeping } from "../steps/pending.js";
import type { EmitEvent } from "../events.js";
import { HarborHaError, InterruptedError } from "../errors.js";
import { byHost } from "../remote/host-results.js";

export interface PhaseResult {
  /** Titles of the steps done, per host. */
  done: Map<string, string[]>;
  failures: Map<string, Error>;
}

export async function runPhase(pool: SshPool, plan: Plan, phase: Phase, emit: EmitEvent, isInterrupted: () => boolean): Promise<PhaseResult> {
  const stepsByHost = new Map<string, Step[]>();
  for (const h of plan.hosts) {
    const steps = h.steps.filter((s) => s.phase === phase);
    if (steps.length > 0) stepsByHost.set(h.host.name, steps);
  }
  const result: PhaseResult = { done: new Map(), failures: new Map() };
  const hosts = [...stepsByHost.keys()];
  const settled = await pool.forEachHost(hosts, async (session, host) => {
    const done: string[] = [];
    result.done.set(host, done);
    const steps = stepsByHost.get(host) ?? [];
    for (const batch of batchSteps(steps, pendingBookkeeping(steps))) {
      const titles = batch.steps.map((s) => s.title);
      // Ctrl-C: the batch under way (above) finished; no new one starts.
      if (isInterrupted()) throw new InterruptedError(`${host}: stopped before "${titles[0]}": the run was interrupted (Ctrl-C)`);
      for (const title of titles) emit({ type: "step-start", host, phase, title });
      const started = Date.now();
      const { mark, clear } = batch.pending;
      try {
        // Recorded before the first file a handler depends on, cleared once it took effect: a run
        // stopped in between leaves the marker, and the next plan and status see the change pending.
        if (mark.length) await session.runChecked(markPendingCommand(mark), { sudo: true, step: `${titles[0]} (record pending ${mark.join(", ")})` });
        await executeBatch(session, batch.steps);
        if (clear.length)
          await session.runChecked(clearPendingCommand(clear), { sudo: true, step: `${titles.at(-1)} (clear pending ${clear.join(", ")})` });
      } catch (err) {
        // The step's own hint says what to fix on this host (the run's final error only says which hosts failed).
        const hint = err instanceof HarborHaError && err.hint ? `\n→ ${err.hint}` : "";
        const ms = Date.now() - started;
        titles.forEach((title, i) =>
          emit({
            type: "step-done",
            host,
            phase,
            title,
            ok: false,
            ms,
            error: i === 0 ? `${(err as Error).message}${hint}` : `sent in one command with ${titles[0]}, which failed (above)`,
          }),
        );
        throw err;
      }
      // The files of a batch were written together: each took the batch's time.
      const ms = Date.now() - started;
      for (const title of titles) {
        done.push(title);
        emit({ type: "step-done", host, phase, title, ok: true, ms });
      }
    }
  });
  for (const [host, err] of byHost(hosts, settled).failures) result.failures.set(host, err);
  return result;
}

/**
 * Runs one phase of a plan: hosts in parallel (up to the pool's limit), each host's
 * steps in order. A failing host stops its own remaining steps; the other hosts finish
 * theirs; the caller starts no later phase.
 */
import type { SshPool } from "../remote/pool.js";
import type { Phase, Plan, Step } from "../plan/types.js";
import { executeStep } from "./execute-step.js";
import { clearPendingCommand, markPendingCommand, pendingBookkeeping } from "../plan/pending.js";
import type { EmitEvent } from "./events.js";
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
    const pending = pendingBookkeeping(steps);
    for (const [i, step] of steps.entries()) {
      // Ctrl-C: the step under way (above) finished; no new one starts.
      if (isInterrupted()) throw new InterruptedError(`${host}: stopped before "${step.title}": the run was interrupted (Ctrl-C)`);
      emit({ type: "step-start", host, phase, title: step.title });
      const started = Date.now();
      const markers = pending[i];
      try {
        // Recorded before the first file a handler depends on, cleared once it took effect: a run
        // stopped in between leaves the marker, and the next plan and status see the change pending.
        if (markers?.mark.length) await session.runChecked(markPendingCommand(markers.mark), { sudo: true, step: `${step.title} (record pending ${markers.mark.join(", ")})` });
        await executeStep(session, step);
        if (markers?.clear.length) await session.runChecked(clearPendingCommand(markers.clear), { sudo: true, step: `${step.title} (clear pending ${markers.clear.join(", ")})` });
      } catch (err) {
        // The step's own hint says what to fix on this host (the run's final error only says which hosts failed).
        const hint = err instanceof HarborHaError && err.hint ? `\n→ ${err.hint}` : "";
        emit({ type: "step-done", host, phase, title: step.title, ok: false, ms: Date.now() - started, error: `${(err as Error).message}${hint}` });
        throw err;
      }
      done.push(step.title);
      emit({ type: "step-done", host, phase, title: step.title, ok: true, ms: Date.now() - started });
    }
  });
  for (const [host, err] of byHost(hosts, settled).failures) result.failures.set(host, err);
  return result;
}

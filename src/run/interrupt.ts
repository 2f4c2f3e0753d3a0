/**
 * What a run says when the operator pressed Ctrl-C: that it was an interrupt (not a
 * failure with a cause to fix), during which phase, what finished and what did not, and
 * that running the same command again finishes the job. Pure.
 */
import { InterruptedError } from "../errors.js";
import { PHASES } from "../steps/types.js";
import type { Phase, Plan } from "../steps/types.js";

export const RUN_AGAIN_HINT =
  "Run the same command again to finish: what is done is skipped, the rest is planned again. " +
  "Every file written is whole (old or new): the steps under way were let finish.";

/** Ctrl-C before the cluster lock: nothing was changed, the lock was not taken. */
export function interruptedBeforeChanges(phase: string): InterruptedError {
  return new InterruptedError(
    `interrupted (Ctrl-C) during ${phase}; nothing was changed on any host and the cluster lock was not taken; run again to finish`,
    RUN_AGAIN_HINT,
  );
}

export interface InterruptedProgress {
  /** The phase under way when Ctrl-C came. */
  phase: string;
  /** Steps done per host so far in the run (hosts without any are left out). */
  done: ReadonlyMap<string, readonly string[]>;
  /** Hosts that still had steps to do when the run stopped. */
  unfinished: readonly string[];
  /** Phases (or stages) that did not start. */
  notStarted: readonly string[];
  /** Hosts whose step failed for a cause of its own before or while Ctrl-C came. */
  failed?: readonly string[];
}

/** "interrupted (Ctrl-C) during harbor; done: lb1 (4 steps), …; not finished: harbor2; not started: settings; run again to finish". */
export function describeInterrupted(p: InterruptedProgress): string {
  const done = [...p.done].filter(([, t]) => t.length > 0).map(([h, t]) => `${h} (${t.length} step${t.length === 1 ? "" : "s"})`);
  const parts = [`interrupted (Ctrl-C) during ${p.phase}`, `done: ${done.join(", ") || "nothing"}`];
  if (p.unfinished.length > 0) parts.push(`not finished: ${p.unfinished.join(", ")}`);
  if (p.notStarted.length > 0) parts.push(`not started: ${p.notStarted.join(", ")}`);
  if (p.failed && p.failed.length > 0) parts.push(`failed (see above): ${p.failed.join(", ")}`);
  parts.push("run again to finish");
  return parts.join("; ");
}

/** provision's phases: who was stopped by the interrupt in `phase`, and which phases never started. */
export function describeInterruptedPhase(
  plan: Plan,
  phase: Phase,
  done: ReadonlyMap<string, readonly string[]>,
  failures: ReadonlyMap<string, Error>,
): string {
  const later = PHASES.slice(PHASES.indexOf(phase) + 1).filter((p) => plan.hosts.some((h) => h.steps.some((s) => s.phase === p)));
  const stopped = (e: Error) => e instanceof InterruptedError;
  return describeInterrupted({
    phase,
    done,
    unfinished: [...failures].filter(([, e]) => stopped(e)).map(([h]) => h),
    notStarted: [...later, "verify"],
    failed: [...failures].filter(([, e]) => !stopped(e)).map(([h]) => h),
  });
}

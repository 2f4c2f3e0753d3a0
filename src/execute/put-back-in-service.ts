/**
 * provision's undrain steps (plan/roll/drained.ts): each node the load balancers held drained
 * with no run under way goes back in service once its health gate passes (check.sh from every
 * load balancer, drain marker ignored, and the inventory's certificate served), one node at a
 * time, after every phase: the run converged it first. A node whose gate keeps failing stays
 * drained, and the run fails naming why.
 */
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import type { Step } from "../steps/types.js";
import type { EmitEvent } from "../events.js";
import { HarborHaError } from "../errors.js";
import { modeOf } from "../lb/modes.js";
import { pollUntilFine, realClock } from "../time/poll.js";
import type { Clock, PollOptions } from "../time/poll.js";
import { lbShellOf } from "./lb-shell.js";
import { probeNodeDependencies, probeNodeHealth } from "./node-health.js";
import { DEPENDENCY_STRIKES } from "./wait-step.js";
import type { PhaseResult } from "./run-phase.js";

export interface PutBackOptions {
  gate: PollOptions & { timeoutMs: number };
  clock?: Clock;
}

export async function putBackInService(
  pool: SshPool,
  inv: Inventory,
  steps: readonly Step[],
  emit: EmitEvent,
  isInterrupted: () => boolean,
  opts: PutBackOptions,
): Promise<PhaseResult> {
  const result: PhaseResult = { done: new Map(), failures: new Map() };
  const lbNames = inv.data.load_balancers.map((l) => l.name);
  const clock = opts.clock ?? realClock;
  const drain = {
    shell: lbShellOf(pool, lbNames),
    clock,
    command: "provision",
    note: (message: string) => emit({ type: "note", level: "warn", message }),
  };
  for (const step of steps) {
    if (step.action.type !== "undrain" || isInterrupted()) continue;
    const node = step.action.node;
    const started = Date.now();
    emit({ type: "step-start", host: step.host, phase: step.phase, title: step.title });
    try {
      let downStreak = 0;
      const reason = await pollUntilFine(
        async () => {
          const failing = await probeNodeHealth(pool, inv, lbNames, node);
          if (failing === undefined) return undefined;
          // As the roll's gate: a dependency down probe after probe is named at once, not waited out.
          const down = await probeNodeDependencies(pool, inv, node);
          downStreak = down.length > 0 ? downStreak + 1 : 0;
          if (downStreak >= DEPENDENCY_STRIKES)
            throw new HarborHaError(
              `health gate: ${down.join("; ")} (seen from ${node.name} ${DEPENDENCY_STRIKES} times in a row); it stays drained`,
              {
                hint: "Bring it back, then run provision again.",
              },
            );
          return failing;
        },
        opts.gate,
        clock,
      );
      if (reason !== undefined)
        throw new HarborHaError(`health gate still failing after ${Math.round(opts.gate.timeoutMs / 1000)} s: ${reason}; it stays drained`, {
          hint: `Fix ${node.name} (harbor-ha status names what fails), then run provision again.`,
        });
      await modeOf(inv).undrain(drain, node);
      result.done.set(step.host, [...(result.done.get(step.host) ?? []), step.title]);
      emit({ type: "step-done", host: step.host, phase: step.phase, title: step.title, ok: true, ms: Date.now() - started });
    } catch (err) {
      const error = err as Error;
      const hint = err instanceof HarborHaError && err.hint ? `\n→ ${err.hint}` : "";
      emit({
        type: "step-done",
        host: step.host,
        phase: step.phase,
        title: step.title,
        ok: false,
        ms: Date.now() - started,
        error: `${error.message}${hint}`,
      });
      result.failures.set(step.host, error);
    }
  }
  return result;
}

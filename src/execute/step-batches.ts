/**
 * How a host's steps go over the wire: consecutive plain file writes travel together as one
 * batch (one remote command, all or none arriving: remote/upload-batch.ts), every other step
 * alone. The plan's steps stay as they are shown; only their execution is grouped. Pure.
 */
import type { Step } from "../steps/types.js";
import type { PendingBookkeeping } from "../steps/pending.js";
import type { Handler } from "../desired/types.js";

/** One round of execution: a single step, or several file writes sent at once. */
export interface StepBatch {
  steps: Step[];
  /** Pending markers to record before the batch's first file, and to clear after its last step. */
  pending: PendingBookkeeping;
}

/** A file write that may travel with its neighbours: a keepalived.conf is checked on the host first, alone. */
function batchable(step: Step): boolean {
  return step.action.type === "upload" && step.action.check === undefined;
}

export function batchSteps(steps: readonly Step[], pending: ReadonlyArray<PendingBookkeeping | undefined>): StepBatch[] {
  const batches: StepBatch[] = [];
  steps.forEach((step, i) => {
    const last = batches.at(-1);
    // A step that makes a change take effect ends its batch: its marker is cleared after the
    // batch, and must never swallow one a later file of the same batch records.
    const joins = last !== undefined && batchable(step) && last.steps.every(batchable) && !last.steps.at(-1)?.applies?.length;
    const target = joins ? last : { steps: [], pending: { mark: [], clear: [] } };
    if (!joins) batches.push(target);
    target.steps.push(step);
    target.pending = {
      mark: union(target.pending.mark, pending[i]?.mark ?? []),
      clear: union(target.pending.clear, pending[i]?.clear ?? []),
    };
  });
  return batches;
}

function union(a: readonly Handler[], b: readonly Handler[]): Handler[] {
  return [...new Set([...a, ...b])];
}

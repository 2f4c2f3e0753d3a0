/**
 * reconfigure (and rotate-certs): the plan provision would make, applied without taking
 * the registry down. In order: nodes the inventory removed are drained; load balancers
 * change (backup first, VIP holder last) with the nodes already serving; removed nodes'
 * Harbor stops; added nodes are provisioned and must pass their health gate; changed
 * nodes roll in batches of --serial behind the drain; finally the load balancers get the
 * added nodes (and the final CA). A failure stops the run where it is, leaving every node
 * not yet touched in service; running the same command again resumes.
 */
import type { Inventory } from "../inventory/model.js";
import { Redactor } from "../inventory/secret.js";
import { prepareClusterRun } from "../run/cluster-run.js";
import { verifyNodesHealthy } from "../gather/verify.js";
import { warningsTo, withClusterRun } from "../run/with-cluster-run.js";
import { EXIT_INTERRUPTED, HarborHaError } from "../errors.js";
import { RUN_AGAIN_HINT } from "../run/interrupt.js";
import { prepareRoll } from "./setup.js";
import type { RollSetup } from "./setup.js";
import { DEFAULT_GATE, realClock } from "./node-roll.js";
import { runStages } from "./stages.js";
import type { StageContext } from "./stages.js";
import { describeInterruptedRoll, describeStop } from "./report.js";

export type { ReconfigureOptions, ReconfigureResult, RollCommand } from "./types.js";
import type { ReconfigureOptions, ReconfigureResult } from "./types.js";

/** A run that stopped part-way: what was done, and how to resume. */
export class ReconfigureFailed extends HarborHaError {
  constructor(
    message: string,
    readonly partial: ReconfigureResult,
    hint: string,
    exitCode = 1,
  ) {
    super(message, { hint, exitCode });
  }
}

export async function reconfigure(inv: Inventory, given: ReconfigureOptions): Promise<ReconfigureResult> {
  // The stage under way, for the report of a Ctrl-C; the steps executed, for the report of the run.
  let stage = "preflight";
  const executed: ReconfigureResult["executed"] = [];
  const opts: ReconfigureOptions = {
    ...given,
    emit: (e) => {
      if (e.type === "phase") stage = e.phase;
      if (e.type === "step-done") executed.push({ host: e.host, title: e.title, ok: e.ok });
      given.emit(e);
    },
  };
  const { state, redactor, desired, bundle, pool, database } = await prepareClusterRun(inv, opts);
  const settings = { command: opts.command, forceUnlock: opts.forceUnlock, isInterrupted: opts.isInterrupted, ...warningsTo(opts.emit) };
  return withClusterRun(pool, inv, settings, async (cluster) => {
    opts.emit({ type: "phase", phase: "preflight", description: "connecting, gathering facts, health of every node (read-only)" });
    const setup = await prepareRoll(pool, inv, state, desired, bundle, redactor, {
      database,
      tlsOnly: opts.command === "rotate-certs",
      startupTimeoutMs: (opts.gate ?? DEFAULT_GATE).timeoutMs,
      serial: opts.serial,
      dryRun: opts.dryRun,
      purge: opts.purge,
      ...(opts.limit ? { limit: opts.limit } : {}),
    });
    const result = initialResult(opts, setup, redactor, executed);
    if (opts.dryRun || !result.changed) return result;

    return cluster.changing(async (audit) => {
      const ctx: StageContext = { pool, inv, opts, clock: opts.clock ?? realClock, gate: opts.gate ?? DEFAULT_GATE, result, audit };
      try {
        await runStages(ctx, setup.rollPlan.stages);
        if (opts.isInterrupted()) throw new ReconfigureFailed(describeInterruptedRoll(result, stage), result, RUN_AGAIN_HINT, EXIT_INTERRUPTED);
        if (result.roll.stopped) {
          const stop = describeStop(result, opts.command);
          throw new ReconfigureFailed(stop.message, result, stop.hint);
        }
        if (!opts.limit || opts.limit.length === 0) {
          opts.emit({ type: "phase", phase: "verify", description: "check.sh for every Harbor node from every load balancer" });
          await verifyNodesHealthy(pool, inv);
        }
        return result;
      } catch (err) {
        if (err instanceof ReconfigureFailed || !(err instanceof Error)) throw err;
        if (opts.isInterrupted()) throw new ReconfigureFailed(describeInterruptedRoll(result, stage), result, RUN_AGAIN_HINT, EXIT_INTERRUPTED);
        const stop = describeStop(result, opts.command, err);
        throw new ReconfigureFailed(stop.message, result, stop.hint);
      }
    });
  });
}

function initialResult(opts: ReconfigureOptions, setup: RollSetup, redactor: Redactor, executed: ReconfigureResult["executed"]): ReconfigureResult {
  const { plan, rollPlan, membership, batches, inScope } = setup;
  const added = membership.added.filter((n) => inScope(n.name)).map((n) => n.name);
  const removed = membership.removed.filter((a) => inScope(a));
  const changed = rollPlan.stages.length > 0;
  return {
    command: opts.command,
    dryRun: opts.dryRun,
    plan,
    rollPlan,
    changed,
    added,
    removed,
    loadBalancers: {},
    settings: [],
    roll: { rolled: [], notTouched: batches.flat(), stopped: false },
    batches: batches.map((b) => b.map((n) => n.name)),
    executed,
    redactor,
  };
}

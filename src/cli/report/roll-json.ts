/**
 * reconfigure's and rotate-certs' part of the one --json shape (run-report.ts): the roll's plan
 * value, stage by stage, as steps (each with its stage and what became of it — a dry run:
 * "planned"; a run: "done", "failed" or "not run"), and in details any step the run executed
 * that the plan did not hold ("unplanned": never expected; a test compares a dry run's steps
 * with a real run's), the batches, the nodes' summary, the VIP holder. Secrets masked when written.
 */
import type { RollStage } from "../../plan/roll/roll-plan.js";
import type { Step } from "../../steps/types.js";
import { rollOutcomes, summarizeRoll } from "../../roll/report.js";
import type { ReconfigureResult } from "../../roll/reconfigure.js";
import { stepJson } from "./json.js";
import { hostItem } from "./json-report.js";
import type { ReportParts, StepItem } from "./run-report.js";

type StepStatus = "planned" | "done" | "failed" | "not run";

/** The roll as the report's parts; `failed`: the run stopped (details say how to resume). */
export function rollParts(
  r: ReconfigureResult | undefined,
  base: { command: string; inventory: string; dryRun: boolean; limit?: string[] },
  failed: boolean,
): Omit<ReportParts, "redactor"> {
  const addressOf = (host: string) => r?.plan.hosts.find((h) => h.host.name === host)?.host.address;
  const steps: StepItem[] = r
    ? stagesJson(r).flatMap((stage) => stage.hosts.flatMap((h) => h.steps.map((x) => ({ host: h.host, stage: stage.name, ...x }))))
    : [];
  return {
    dryRun: base.dryRun,
    ...(base.limit ? { limit: base.limit } : {}),
    changed: r?.changed ?? false,
    hosts: (r ? rollOutcomes(r) : []).map((o) => hostItem(o, addressOf(o.host))),
    steps,
    problems: [],
    details: {
      batches: r?.batches ?? [],
      ...(r ? { nodes: summarizeRoll(r), unplanned: unplannedSteps(r) } : { unplanned: [] }),
      ...(r?.vipHolder ? { vipHolder: r.vipHolder } : {}),
      ...(failed ? { resume: `harbor-ha ${base.command} ${base.inventory}` } : {}),
    },
  };
}

/** Each stage with its hosts' steps, in plan order. */
export function stagesJson(r: ReconfigureResult) {
  const status = statusOf(r);
  const hostJson = (host: string, steps: readonly Step[]) => ({ host, steps: steps.map((s) => ({ ...stepJson(s), status: status(host, s) })) });
  return r.rollPlan.stages.map((stage) => ({
    kind: stage.kind,
    name: stageName(stage),
    hosts: stageHosts(stage).map(([h, steps]) => hostJson(h, steps)),
  }));
}

function stageName(stage: RollStage): string {
  return stage.kind === "loadbalancers" ? stage.name : stage.kind;
}

function stageHosts(stage: RollStage): Array<[string, readonly Step[]]> {
  switch (stage.kind) {
    case "storage-check":
    case "settings":
      return stage.plan.hosts.filter((h) => h.steps.length > 0).map((h) => [h.host.name, h.steps]);
    case "loadbalancers":
      return stage.hosts.filter((h) => h.steps.length > 0).map((h) => [h.host.name, h.steps]);
    case "scale-out":
      return stage.nodes.map((n) => [n.node.name, n.steps]);
    case "roll":
      return stage.batches.flat().map((n) => [n.node.name, n.steps]);
    case "drain-removed":
    case "stop-removed":
      return stage.nodes.map((n) => [n.name, []]);
  }
}

/** A step's outcome: the executed steps are matched to the plan's in order, per host and title. */
function statusOf(r: ReconfigureResult): (host: string, s: Step) => StepStatus {
  const left = [...r.executed];
  return (host, s) => {
    if (r.dryRun) return "planned";
    const i = left.findIndex((e) => e.host === host && e.title === s.title);
    if (i < 0) return "not run";
    const [e] = left.splice(i, 1);
    return e?.ok ? "done" : "failed";
  };
}

/** Steps the run executed that no stage of the plan holds. */
function unplannedSteps(r: ReconfigureResult): Array<{ host: string; title: string }> {
  const planned = new Map<string, number>();
  for (const stage of r.rollPlan.stages)
    for (const [host, steps] of stageHosts(stage))
      for (const s of steps) planned.set(`${host}\t${s.title}`, (planned.get(`${host}\t${s.title}`) ?? 0) + 1);
  return r.executed.flatMap((e) => {
    const key = `${e.host}\t${e.title}`;
    const n = planned.get(key) ?? 0;
    if (n > 0) {
      planned.set(key, n - 1);
      return [];
    }
    return [{ host: e.host, title: e.title }];
  });
}

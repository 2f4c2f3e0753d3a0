/**
 * provision's part of the one --json shape (run-report.ts): each host's outcome, each planned
 * step with what became of it (a dry run: planned; a run: done, failed or not run, with its
 * time), the plan's problems as items, and the database, VIP holder and health checks as
 * details. Every string passes the Redactor when the report is written.
 */
import type { ProvisionResult } from "../../provision/provision.js";
import type { HostOutcome } from "../../events.js";
import type { StepTimes } from "./step-times.js";
import { stepJson } from "./json.js";
import type { HostItem, ReportParts, StepItem } from "./run-report.js";

export interface ProvisionReportInput {
  dryRun: boolean;
  result?: Partial<ProvisionResult>;
  outcomes: HostOutcome[];
  /** How long each step that ran took, and whether it passed. */
  stepTimes?: StepTimes;
  limit?: string[];
}

export function provisionParts(input: ProvisionReportInput): Omit<ReportParts, "redactor"> {
  const r = input.result;
  const addressOf = (host: string) => r?.plan?.hosts.find((h) => h.host.name === host)?.host.address;
  const hosts = input.outcomes.map((o) => hostItem(o, addressOf(o.host)));
  const steps: StepItem[] = (r?.plan?.hosts ?? []).flatMap((h) => {
    const titles = h.steps.map((s) => s.title);
    const ms = input.stepTimes?.of(h.host.name, titles) ?? [];
    const oks = input.stepTimes?.oks(h.host.name, titles) ?? [];
    return h.steps.map((s, i) => {
      const ok = oks[i];
      const status = input.dryRun ? "planned" : ok === undefined ? "not run" : ok ? "done" : "failed";
      return { host: h.host.name, ...stepJson(s, ms[i]), status } as StepItem;
    });
  });
  const details: Record<string, unknown> = {};
  if (r?.database)
    details["database"] = {
      action: r.database.plan.action,
      reason: r.database.plan.reason,
      warnings: r.database.plan.warnings,
      ...(r.databaseResult ? { result: r.databaseResult.message } : {}),
    };
  if (r?.vipHolder) details["vipHolder"] = r.vipHolder;
  if (r?.nodeChecks) details["nodeChecks"] = r.nodeChecks;
  return {
    dryRun: input.dryRun,
    ...(input.limit ? { limit: input.limit } : {}),
    changed: r?.changed ?? false,
    hosts,
    steps,
    problems: (r?.plan?.problems ?? []).map(({ host, message, hint }) => ({ host, message, ...(hint ? { hint } : {}) })),
    details,
  };
}

/** One host of a run's report from its outcome (provision and the roll commands alike). */
export function hostItem(o: HostOutcome, address: string | undefined): HostItem {
  return {
    name: o.host,
    ...(address ? { address } : {}),
    role: o.role,
    status: o.status,
    ms: o.ms,
    changes: o.changes,
    ...(o.error ? { error: o.error } : {}),
  };
}

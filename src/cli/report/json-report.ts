/** The machine-readable report of a run (--json). Every string passes the Redactor. */
import type { ProvisionResult } from "../../provision/provision.js";
import type { HostOutcome } from "../../events.js";
import type { Redactor } from "../../inventory/secret.js";
import type { StepTimes } from "./step-times.js";
import { redactedJson, stepJson } from "./json.js";

export interface JsonReportInput {
  command: string;
  inventory: string;
  dryRun: boolean;
  ok: boolean;
  result?: Partial<ProvisionResult>;
  outcomes: HostOutcome[];
  error?: { message: string; hint?: string };
  /** How long each step that ran took (`ms` beside the step). */
  stepTimes?: StepTimes;
}

export function formatJsonReport(input: JsonReportInput, redactor: Redactor): string {
  const r = input.result;
  const report = {
    command: input.command,
    inventory: input.inventory,
    dryRun: input.dryRun,
    ok: input.ok,
    changed: r?.changed ?? false,
    database: r?.database
      ? { action: r.database.plan.action, reason: r.database.plan.reason, warnings: r.database.plan.warnings, result: r.databaseResult?.message }
      : undefined,
    hosts: input.outcomes.map((o) => {
      const planned = r?.plan?.hosts.find((h) => h.host.name === o.host);
      const ms = input.stepTimes?.of(o.host, planned?.steps.map((s) => s.title) ?? []) ?? [];
      return {
        ...o,
        address: planned?.host.address,
        steps: planned?.steps.map((s, i) => stepJson(s, ms[i])) ?? [],
      };
    }),
    preflightProblems: r?.plan?.problems ?? [],
    vipHolder: r?.vipHolder,
    nodeChecks: r?.nodeChecks,
    error: input.error,
  };
  return redactedJson(report, redactor);
}

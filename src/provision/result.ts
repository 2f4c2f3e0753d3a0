/**
 * What provision gives back, and how a stopped run says what it had done: the per-host
 * outcomes for the summary and --json, and the error that carries them. Pure.
 */
import type { Redactor } from "../inventory/secret.js";
import { HarborHaError, InterruptedError } from "../errors.js";
import type { DesiredState } from "../desired/types.js";
import type { HostPlan, Plan, PreflightProblem } from "../steps/types.js";
import type { DatabaseApplyResult } from "../db/apply.js";
import type { DatabasePreflight } from "../db/edge.js";
import type { NodeCheck } from "../gather/verify.js";
import type { HostOutcome } from "../events.js";

export interface ProvisionResult {
  plan: Plan;
  database: DatabasePreflight;
  databaseResult?: DatabaseApplyResult;
  outcomes: HostOutcome[];
  vipHolder?: string;
  nodeChecks?: NodeCheck[];
  /** Whether anything changed (or, in a dry run, would change). */
  changed: boolean;
  redactor: Redactor;
}

/** A failed run: carries what was done so far, for the summary and --json. */
export class ProvisionFailed extends HarborHaError {
  constructor(
    message: string,
    readonly partial: Partial<ProvisionResult> & { outcomes: HostOutcome[] },
    hint: string,
    exitCode = 1,
    items?: PreflightProblem[],
  ) {
    super(message, {
      hint,
      exitCode,
      ...(items ? { items: items.map(({ host, message, hint }) => ({ host, message, ...(hint ? { hint } : {}) })) } : {}),
    });
  }
}

/** Refused before anything changed: every host "not started"; each problem an item of the error. */
export function preflightFailure(problems: PreflightProblem[], desired: DesiredState, exitCode = 1): ProvisionFailed {
  const outcomes: HostOutcome[] = desired.hosts.map((h) => ({ host: h.host.name, role: h.host.role, status: "not started", changes: [], ms: 0 }));
  return new ProvisionFailed(
    `preflight failed; nothing was changed on any host:\n  ${problems.map(describeProblem).join("\n  ")}`,
    { outcomes },
    "Fix the problems above and run again.",
    exitCode,
    problems,
  );
}

/** "host: message" (once, even when the message names the host), then what to do. */
export function describeProblem(p: PreflightProblem): string {
  const message = p.message.startsWith(p.host) ? p.message : `${p.host}: ${p.message}`;
  return p.hint ? `${message}\n    → ${p.hint}` : message;
}

/** A host (or the database) that could not be read, as a preflight problem. */
export function failureProblem(host: string, e: Error): PreflightProblem {
  const message = e.message.startsWith(`${host}: `) ? e.message.slice(host.length + 2) : e.message;
  return { host, message, hint: e instanceof HarborHaError && e.hint ? e.hint : "" };
}

/** A dry run's outcomes: each host would change (its steps) or is unchanged. */
export function dryRunOutcomes(plan: Plan, ms: number): HostOutcome[] {
  return plan.hosts.map((h) => {
    const changes = h.steps.filter((s) => s.kind !== "check").map((s) => s.title);
    return { host: h.host.name, role: h.host.role, status: changes.length > 0 ? ("would change" as const) : ("unchanged" as const), changes, ms };
  });
}

/**
 * The titles of what changed a host: its checks (the shared-storage marker written and read,
 * keepalived still running) run, but change nothing the host is configured with.
 */
function changesOf(h: HostPlan, done: readonly string[]): string[] {
  const checks = new Set(h.steps.filter((s) => s.kind === "check").map((s) => s.title));
  return done.filter((t) => !checks.has(t));
}

export function outcomesOf(
  plan: Plan,
  done: ReadonlyMap<string, string[]>,
  failures: ReadonlyMap<string, Error>,
  ms: ReadonlyMap<string, number>,
): HostOutcome[] {
  return plan.hosts.map((h) => {
    const failed = failures.get(h.host.name);
    const changes = changesOf(h, done.get(h.host.name) ?? []);
    const base = { host: h.host.name, role: h.host.role, changes, ms: ms.get(h.host.name) ?? 0 };
    // A host Ctrl-C stopped before its next step did not fail: it is unfinished.
    if (failed instanceof InterruptedError) return { ...base, status: changes.length > 0 ? ("changed" as const) : ("not started" as const) };
    if (failed) return { ...base, status: "failed" as const, error: failed.message };
    return { ...base, status: changes.length > 0 ? ("changed" as const) : ("unchanged" as const) };
  });
}

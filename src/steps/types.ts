/**
 * A plan: for each host, the ordered steps still needed to reach the desired state,
 * each with its reason (and a diff for files). The same value is printed by --dry-run
 * and executed by apply; "nothing to do" is a plan too.
 */
import type { HostRef } from "../inventory/model.js";
import type { ConfigCheck, DesiredFile, Handler } from "../desired/types.js";
export type { ConfigCheck } from "../desired/types.js";
import type { Command } from "../shell/command.js";
import type { Secret } from "../inventory/secret.js";

/** The provision phases that change hosts, in the order they run. */
export type Phase = "loadbalancers" | "storage" | "storage-check" | "harbor" | "settings";
export const PHASES: readonly Phase[] = ["loadbalancers", "storage", "storage-check", "harbor", "settings"];

export type Action =
  /** `stdin`: what the command reads (an answer to a question, never a secret); `hint`: what to do when it fails. */
  | { type: "run"; command: Command; timeoutMs?: number; stdin?: string; hint?: string }
  /**
   * Run `probe` until `judge` (a pure parser, by name) says ready, the interval growing, or the
   * deadline passes; then the step fails with the last answer and what `diagnose` prints.
   */
  | {
      type: "wait";
      probe: Command;
      judge: "harbor-startup";
      diagnose?: Command;
      timeoutMs: number;
      firstIntervalMs: number;
      maxIntervalMs: number;
      hint: string;
    }
  /**
   * Harbor's database-held settings through its API: PUT (curl's config, with the credentials
   * and the body, on stdin), then GET and compare with `expect` (passwords are never read
   * back), then the stamp of what was applied.
   */
  | { type: "harbor-settings"; put: ApiCall; get: ApiCall; expect: Record<string, string | number | boolean>; stamp: DesiredFile }
  /** Write a file atomically; `check` validates it on the host (`keepalived -t`, `haproxy -c`) before it replaces the old one. */
  | { type: "upload"; file: DesiredFile; check?: ConfigCheck }
  /** keepalived still runs a moment after it was started or reloaded (else: its last log lines, and the step fails). */
  | { type: "check-keepalived" }
  /**
   * A node the load balancers hold drained while no run is under way, put back in service once
   * its health gate passes: run from the load balancers (provision/apply-plan.ts), after every
   * phase, never on the node's own session.
   */
  | { type: "undrain"; node: { name: string; address: string }; on: string[] }
  /** Copy a local file (the installer bundle) to the host, checksum-verified. */
  | { type: "upload-local"; localPath: string; remotePath: string; sha256: string; mode: number };

export type StepKind = "package" | "user" | "directory" | "file" | "mount" | "service" | "install" | "check" | "settings";

/**
 * What a step is to the code that picks steps out of a plan, so that none is recognised by its
 * title or path: rotate-certs keeps the TLS files and what makes a node serve them (the installer
 * run, the start-up wait, the stamp) and the balancing daemon's start/reload/check (lb-service: HAProxy's); the restart limit and the
 * shared-storage check look for installer runs, and a roll runs the storage check's steps apart;
 * a cluster's first run uploads and extracts the installer bundle (installer-bundle: nothing in
 * them depends on the cluster's secrets) while its token key pair is still being generated.
 * Steps nobody picks out have none.
 */
export type StepRole = "tls-file" | "install-run" | "startup-wait" | "install-stamp" | "lb-service" | "storage-check" | "installer-bundle";

/** A call of Harbor's API: the command, and curl's config (credentials, body) for its stdin. */
export interface ApiCall {
  command: Command;
  curlConfig: Secret;
}

export interface Step {
  host: string;
  phase: Phase;
  kind: StepKind;
  role?: StepRole;
  /** What the step does: "write /etc/keepalived/keepalived.conf". */
  title: string;
  /** Why it is needed: "content differs", "absent", "keepalived.conf changed". */
  reason: string;
  /** Unified diff for files, secrets masked; absent for sensitive files. */
  diff?: string;
  action: Action;
  /** The handlers this step makes take effect (their pending markers are cleared after it: steps/pending.ts). */
  applies?: Handler[];
}

export interface HostPlan {
  host: HostRef;
  steps: Step[];
}

/** A problem found before anything changes: the run stops before the first write. */
/** Problems a command may expect and set aside, by kind. */
export type PreflightProblemCode = "release-change";

export interface PreflightProblem {
  host: string;
  message: string;
  hint: string;
  /** What kind of problem, for a command that expects it: upgrade expects the release change provision refuses. */
  code?: PreflightProblemCode;
  /** The exit status when this problem refuses the run (2: the plan itself is refused, as bad input); 1 otherwise. */
  exitCode?: number;
}

/** The exit status of a run the problems refuse: the highest any asks for, 1 by default. */
export function refusalExitCode(problems: readonly PreflightProblem[]): number {
  return Math.max(1, ...problems.map((p) => p.exitCode ?? 1));
}

export interface Plan {
  hosts: HostPlan[];
  problems: PreflightProblem[];
}

export function stepsIn(plan: Plan, phase: Phase): Step[] {
  return plan.hosts.flatMap((h) => h.steps.filter((s) => s.phase === phase));
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.hosts.every((h) => h.steps.length === 0);
}

/** Steps in phase order, keeping the order within a phase. */
export function inPhaseOrder(steps: readonly Step[]): Step[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => PHASES.indexOf(a.s.phase) - PHASES.indexOf(b.s.phase) || a.i - b.i)
    .map((x) => x.s);
}

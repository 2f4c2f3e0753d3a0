/**
 * What a rolling run tells the operator: the plan and the batches (dry run), what changed,
 * and when it stopped — which nodes changed, which failed (and stay drained), which were
 * not touched, and how to resume. Pure; every string passes the Redactor in the CLI.
 */
import type { HostOutcome } from "../events.js";
import type { ReconfigureResult } from "./types.js";
import { describeInterrupted } from "../run/interrupt.js";
import type { RollStage } from "../plan/roll/roll-plan.js";
import type { Step } from "../steps/types.js";
import { describeStage } from "./describe-stage.js";

export interface RollSummary {
  changed: string[];
  failed: Array<{ node: string; failedIn: string; error: string; inService: false }>;
  notTouched: string[];
  added: string[];
  removed: string[];
  loadBalancers: string[];
}

export function summarizeRoll(r: ReconfigureResult): RollSummary {
  const rolled = r.roll.rolled;
  return {
    changed: rolled.filter((o) => o.state === "done" && o.changes.length > 0).map((o) => o.node),
    failed: rolled
      .filter((o) => o.state === "failed")
      .map((o) => ({ node: o.node, failedIn: o.failedIn ?? "?", error: o.error ?? "", inService: false as const })),
    notTouched: r.roll.notTouched.map((n) => n.name),
    added: r.added,
    removed: r.removed,
    loadBalancers: Object.keys(r.loadBalancers).filter((lb) => (r.loadBalancers[lb] ?? []).length > 0),
  };
}

/** The message and hint of a run that stopped part-way (a failed node, or an error in another stage). */
export function describeStop(r: ReconfigureResult, command: string, err?: Error): { message: string; hint: string } {
  const s = summarizeRoll(r);
  const lines: string[] = [];
  if (err) lines.push(`${command} stopped: ${err.message}`);
  for (const f of s.failed) lines.push(`${command} stopped: ${f.node} failed while ${f.failedIn}: ${f.error}`);
  lines.push(
    `  changed:     ${s.changed.join(", ") || "none"}${s.loadBalancers.length > 0 ? ` (load balancers: ${s.loadBalancers.join(", ")})` : ""}`,
  );
  if (s.failed.length > 0) {
    const addedFailed = s.failed.filter((f) => r.added.includes(f.node)).map((f) => f.node);
    const drained = s.failed.filter((f) => !r.added.includes(f.node)).map((f) => f.node);
    lines.push(
      `  failed:      ${s.failed.map((f) => f.node).join(", ")}` +
        `${drained.length > 0 ? ` — ${drained.join(", ")} stay${drained.length === 1 ? "s" : ""} drained, out of service` : ""}` +
        `${addedFailed.length > 0 ? ` — ${addedFailed.join(", ")} not behind the load balancers yet` : ""}`,
    );
  }
  lines.push(`  not touched: ${s.notTouched.join(", ") || "none"}${s.notTouched.length > 0 ? " (in service, unchanged)" : ""}`);
  const where = s.failed[0]?.node;
  const hint =
    `Fix the cause${where ? ` on ${where}` : ""} (see above), ` +
    `then run the same command again (harbor-ha ${command} <inventory> with the same options) to resume: ` +
    `nodes already converged have nothing to do, so the roll resumes${where ? ` at ${where}` : " where it stopped"}; ` +
    "a drained node is put back in service once it passes its health gate.";
  return { message: lines.join("\n"), hint };
}

/** Ctrl-C during a rolling run: what rolled, which node stays drained, what was not touched. */
export function describeInterruptedRoll(r: ReconfigureResult, stage: string): string {
  const s = summarizeRoll(r);
  const done = new Map<string, readonly string[]>([
    ...Object.entries(r.loadBalancers),
    ...r.roll.rolled.filter((o) => o.state === "done").map((o): [string, readonly string[]] => [o.node, o.changes]),
  ]);
  return describeInterrupted({
    phase: stage,
    done,
    unfinished: s.failed.map((f) => `${f.node} (stopped while ${f.failedIn}; stays drained, out of service)`),
    notStarted: s.notTouched.map((n) => `${n} (in service, unchanged)`),
  });
}

/** One row per host for the summary table. */
export function rollOutcomes(r: ReconfigureResult): HostOutcome[] {
  const rows: HostOutcome[] = [];
  for (const h of r.plan.hosts) {
    if (h.host.role === "loadbalancer") {
      const changes = r.loadBalancers[h.host.name] ?? [];
      rows.push({ host: h.host.name, role: h.host.role, status: changes.length > 0 ? "changed" : "unchanged", changes, ms: 0 });
      continue;
    }
    const o = r.roll.rolled.find((x) => x.node === h.host.name);
    const untouched = r.roll.notTouched.some((n) => n.name === h.host.name);
    // The database-held settings were applied through this node's Harbor (no roll needed for them).
    const settings = h.steps.some((s) => s.kind === "settings") ? r.settings : [];
    const changes = [...(o?.changes ?? []), ...settings];
    const status = o?.state === "failed" ? "failed" : changes.length > 0 ? "changed" : untouched ? "not started" : "unchanged";
    rows.push({ host: h.host.name, role: h.host.role, status, changes, ms: o?.ms ?? 0, ...(o?.error ? { error: o.error } : {}) });
  }
  for (const a of r.removed)
    rows.push({
      host: a,
      role: "removed node",
      status: r.dryRun ? "not started" : "changed",
      changes: ["drained, taken off the load balancers, Harbor stopped"],
      ms: 0,
    });
  return rows;
}

/** --dry-run: the roll's plan value, stage by stage, as the run will execute it. */
export function formatRollPlan(r: ReconfigureResult, serial: number): string {
  const out: string[] = ["database (skip): a rolling run never loads or changes the schema"];
  r.rollPlan.stages.forEach((stage, i) => {
    out.push("", `stage ${i + 1}, ${stageTitle(stage)}: ${describeStage(stage, serial)}`);
    out.push(...stageLines(stage));
  });
  out.push("");
  out.push(r.rollPlan.stages.length === 0 ? "Nothing to change: every host is as the inventory describes." : summaryLine(r));
  return out.join("\n") + "\n";
}

function stageTitle(stage: RollStage): string {
  return stage.kind === "loadbalancers" ? stage.name : stage.kind;
}

function stageLines(stage: RollStage): string[] {
  switch (stage.kind) {
    case "storage-check":
    case "settings":
      return stage.plan.hosts.filter((h) => h.steps.length > 0).flatMap((h) => hostLines(h.host.name, h.steps));
    case "loadbalancers":
      return stage.hosts.filter((h) => h.steps.length > 0).flatMap((h) => hostLines(h.host.name, h.steps));
    case "drain-removed":
    case "stop-removed":
      return stage.nodes.map((n) => `  ${n.name}`);
    case "scale-out":
      return stage.nodes.flatMap((n) => [
        ...hostLines(n.node.name, n.steps),
        `  ${n.node.name}: then its health gate, before the load balancers get it`,
      ]);
    case "roll":
      return stage.batches.flatMap((batch, i) => [
        `  batch ${i + 1}: ${batch.map((n) => n.node.name).join(", ")} — drained on every load balancer, then:`,
        ...batch.flatMap((n) => hostLines(n.node.name, n.steps, "    ")),
        `    then the health gate, and back in service`,
      ]);
  }
}

function hostLines(host: string, steps: readonly Step[], indent = "  "): string[] {
  if (steps.length === 0) return [`${indent}${host}: no changes of its own`];
  return [
    `${indent}${host}:`,
    ...steps.flatMap((s) => [
      `${indent}  [${s.phase}] ${s.title}`,
      `${indent}      because: ${s.reason}`,
      ...(s.diff ? s.diff.split("\n").map((l) => `${indent}      ${l}`) : []),
    ]),
  ];
}

function summaryLine(r: ReconfigureResult): string {
  const parts: string[] = [];
  if (r.removed.length > 0) parts.push(`scale in ${r.removed.join(", ")}`);
  if (r.added.length > 0) parts.push(`scale out ${r.added.join(", ")}`);
  parts.push(r.batches.length === 0 ? "no Harbor node leaves service" : `roll ${r.batches.map((b) => `[${b.join(", ")}]`).join(" → ")}`);
  return `${r.rollPlan.stages.length} stage${r.rollPlan.stages.length === 1 ? "" : "s"}: ${parts.join("; ")}.`;
}

/** After a successful run. */
export function formatRollDone(r: ReconfigureResult, vip: string): string {
  const s = summarizeRoll(r);
  const out: string[] = [];
  if (!r.changed) return "Nothing to change: every host is as the inventory describes.\n";
  if (s.removed.length > 0) out.push(`scaled in: ${s.removed.join(", ")} off the load balancers, Harbor stopped`);
  if (s.added.length > 0) out.push(`scaled out: ${s.added.join(", ")} healthy and behind the load balancers`);
  out.push(
    `rolled: ${r.roll.rolled.map((o) => o.node).join(", ") || "no Harbor node"}; ` +
      `never more than ${r.batches.reduce((m, b) => Math.max(m, b.length), 0) || 0} out of service at once`,
  );
  if (r.settings.length > 0) out.push("settings Harbor keeps in its database: applied through its API and read back");
  if (r.vipHolder) out.push(`VIP ${vip} is held by ${r.vipHolder}`);
  return out.join("\n") + "\n";
}

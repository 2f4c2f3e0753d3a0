/** provision's --json (provisionParts in the one report shape): no secret, wherever one slipped in; steps with their status and time. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DatabasePreflight } from "../../../../src/db/edge.js";
import { provisionParts } from "../../../../src/cli/report/json-report.js";
import type { ProvisionReportInput } from "../../../../src/cli/report/json-report.js";
import { buildRunReport } from "../../../../src/cli/report/run-report.js";
import { redactedJson } from "../../../../src/cli/report/json.js";
import { HarborHaError } from "../../../../src/errors.js";
import { StepTimes } from "../../../../src/cli/report/step-times.js";
import { REDACTED, Redactor } from "../../../../src/inventory/secret.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import { cmd } from "../../../../src/shell/command.js";
import { ctx, desired, EXAMPLE_SECRETS, factsOfAll, matchingFacts, redactor } from "../../../support/example.js";

/** A report in which every free-text field carries every secret. */
function leakyInput(secrets: readonly string[]): ProvisionReportInput & { error: HarborHaError } {
  const all = secrets.join(" / ");
  const plan = planCluster(desired, factsOfAll(matchingFacts), ctx);
  plan.hosts[0]?.steps.push({
    host: "lb1",
    phase: "loadbalancers",
    kind: "file",
    title: `write ${all}`,
    reason: `content differs ${all}`,
    diff: `-old\n+${secrets.join("\n+")}`,
    action: { type: "run", command: cmd("true") },
  });
  plan.problems.push({ host: "harbor1", message: `cannot reach ${all}`, hint: all });
  const database = { plan: { action: "refuse", reason: `access denied for ${all}`, warnings: [all] } } as unknown as DatabasePreflight;
  return {
    dryRun: false,
    result: {
      plan,
      database,
      databaseResult: { action: "refuse", changed: false, message: all },
      vipHolder: "lb1",
      nodeChecks: [{ lb: "lb1", node: "10.20.0.21", ok: false, detail: all }],
      changed: true,
    },
    outcomes: [{ host: "lb1", role: "loadbalancer", status: "failed", changes: [all], error: `sudo: ${all}`, ms: 10 }],
    error: new HarborHaError(`failed: ${all}`, { hint: all }),
  };
}

/** The report as provision writes it. */
function formatJsonReport(input: ProvisionReportInput & { error?: HarborHaError }, redactor: Redactor): string {
  const base = { command: "provision" as const, inventory: "inventory/example.yaml", start: new Date(0), end: new Date(5000), exitCode: 0 };
  return redactedJson(buildRunReport(base, provisionParts(input), input.error), redactor);
}

test("every example secret is masked, in diffs, reasons, errors, hints, checks and database messages", () => {
  const out = formatJsonReport(leakyInput(EXAMPLE_SECRETS), redactor);
  const report = JSON.parse(out) as { steps: Array<{ host: string; diff?: string }>; hosts: Array<{ error?: string }>; error: { message: string } };
  for (const s of EXAMPLE_SECRETS) assert.ok(!out.includes(s), `secret of ${s.length} chars in the JSON`);
  assert.equal(report.steps.filter((s) => s.host === "lb1").at(-1)?.diff, `-old\n+${EXAMPLE_SECRETS.map(() => REDACTED).join("\n+")}`);
  assert.equal(report.error.message, `failed: ${EXAMPLE_SECRETS.map(() => REDACTED).join(" / ")}`);
  assert.equal(report.hosts[0]?.error, `sudo: ${EXAMPLE_SECRETS.map(() => REDACTED).join(" / ")}`);
});

test("secrets JSON would escape (quotes, backslashes, newlines) are masked too", () => {
  const odd = ['pa"ss\\word', "tab\there-and-more", "line one of a key\nline 2"];
  const r = new Redactor().add(...odd);
  const out = formatJsonReport(leakyInput(odd), r);
  const parsed = JSON.stringify(JSON.parse(out));
  for (const s of odd) {
    assert.ok(!JSON.parse(out).error.message.includes(s), `${JSON.stringify(s)} in error.message`);
    assert.ok(!parsed.includes(JSON.stringify(s).slice(1, -1)), `${JSON.stringify(s)} in the JSON text`);
  }
  assert.ok(!out.includes("line 2"), "the short last line of a multi-line secret is masked with the whole");
});

test("the report's shape: steps without their commands, problems as items, checks", () => {
  const input = leakyInput(["Some-Secret-1"]);
  const report = JSON.parse(formatJsonReport(input, new Redactor().add("Some-Secret-1")));
  assert.equal(report.run.command, "provision");
  assert.equal(report.run.ok, false);
  assert.equal(report.run.exitCode, 1);
  assert.equal(report.run.changed, true);
  assert.equal(report.details.database.action, "refuse");
  assert.equal(report.hosts[0].address, "10.20.0.11");
  assert.deepEqual(Object.keys(report.steps.find((s: { host: string }) => s.host === "lb1")), [
    "host",
    "phase",
    "kind",
    "title",
    "reason",
    "diff",
    "status",
  ]);
  assert.deepEqual(report.problems[0], { host: "harbor1", message: "cannot reach Some-Secret-1".replace("Some-Secret-1", REDACTED), hint: REDACTED });
  assert.equal(report.details.vipHolder, "lb1");
  assert.equal(report.details.nodeChecks[0].ok, false);
});

test("each step that ran carries its time from the run's step-done events; a step that did not run has none", () => {
  const input = leakyInput(["Some-Secret-1"]);
  const steps = input.result?.plan?.hosts[0]?.steps ?? [];
  steps.push({
    host: "lb1",
    phase: "loadbalancers",
    kind: "service",
    title: "reload keepalived",
    reason: "keepalived.conf changed",
    action: { type: "run", command: cmd("true") },
  });
  const times = new StepTimes();
  times.record({ type: "step-start", host: "lb1", phase: steps[0]!.phase, title: steps[0]!.title });
  times.record({ type: "step-done", host: "lb1", phase: steps[0]!.phase, title: steps[0]!.title, ok: true, ms: 1234 });
  times.record({ type: "step-done", host: "lb2", phase: steps[1]!.phase, title: steps[1]!.title, ok: true, ms: 99 });
  const report = JSON.parse(formatJsonReport({ ...input, stepTimes: times }, new Redactor().add("Some-Secret-1")));
  const lb1 = report.steps.filter((s: { host: string }) => s.host === "lb1");
  assert.equal(lb1[0].ms, 1234);
  assert.equal(lb1[0].status, "done");
  assert.equal(lb1[1].ms, undefined, "the same title on another host is not this host's time");
  assert.equal(lb1[1].status, "not run");
});

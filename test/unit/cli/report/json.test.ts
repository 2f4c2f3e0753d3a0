/**
 * The one --json writer every command uses: strings are masked before JSON escapes them, and
 * reconfigure's report masks the secrets the cluster generated as well as the inventory's.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { rollParts } from "../../../../src/cli/report/roll-json.js";
import { redactedJson } from "../../../../src/cli/report/json.js";
import { buildRunReport } from "../../../../src/cli/report/run-report.js";
import { HarborHaError } from "../../../../src/errors.js";
import { REDACTED, Redactor } from "../../../../src/inventory/secret.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import { cmd } from "../../../../src/shell/command.js";
import type { ReconfigureResult } from "../../../../src/roll/types.js";
import { ctx, desired, factsOfAll, matchingFacts } from "../../../support/example.js";

test("a status or drill document: a secret JSON would escape (quote, backslash, newline) is masked, not left escaped", () => {
  const odd = ['pa"ss\\word', "two\nlines"];
  const out = redactedJson({ command: "status", problems: [`redis refused ${odd[0]}`, { detail: `key ${odd[1]}` }] }, new Redactor().add(...odd));
  for (const s of odd) assert.ok(!out.includes(JSON.stringify(s).slice(1, -1)), `${JSON.stringify(s)} in the JSON text`);
  assert.deepEqual(JSON.parse(out).problems, [`redis refused ${REDACTED}`, { detail: `key ${REDACTED}` }]);
  assert.ok(out.endsWith("}\n"));
});

test("reconfigure's report: the run's generated secrets and the inventory's are masked; steps show no command; resume says how", () => {
  const plan = planCluster(desired, factsOfAll(matchingFacts), ctx);
  plan.hosts[2]?.steps.push({
    host: "harbor1",
    phase: "harbor",
    kind: "file",
    title: "write /opt/harbor/harbor.cfg",
    reason: "content differs",
    diff: "-db_password = inventory-secret\n+db_password = generated-secret",
    action: { type: "run", command: cmd("true") },
  });
  const result: ReconfigureResult = {
    command: "reconfigure",
    dryRun: false,
    plan,
    changed: true,
    added: [],
    removed: [],
    loadBalancers: {},
    settings: [],
    roll: { rolled: [], notTouched: [{ name: "harbor1", address: "10.20.0.21" }], stopped: true },
    batches: [["harbor1"]],
    rollPlan: { stages: [{ kind: "roll", batches: [[{ node: { name: "harbor1", address: "10.20.0.21" }, steps: plan.hosts[2]?.steps ?? [] }]] }] },
    executed: [],
    redactor: new Redactor().add("generated-secret", "inventory-secret"),
  };
  const base = { command: "reconfigure", inventory: "inventory/example.yaml", dryRun: false } as const;
  const doc = buildRunReport(
    { ...base, start: new Date(0), end: new Date(1000), exitCode: 0 },
    rollParts(result, base, true),
    new HarborHaError("harbor1 failed: inventory-secret"),
  );
  const out = redactedJson(doc, result.redactor);
  assert.ok(!out.includes("generated-secret") && !out.includes("inventory-secret"));
  const report = JSON.parse(out);
  assert.equal(report.run.ok, false);
  assert.equal(report.run.exitCode, 1);
  assert.equal(report.details.resume, "harbor-ha reconfigure inventory/example.yaml");
  assert.equal(report.error.message, `harbor1 failed: ${REDACTED}`);
  const step = report.steps.filter((s: { host: string }) => s.host === "harbor1").at(-1);
  assert.deepEqual(Object.keys(step), ["host", "stage", "phase", "kind", "title", "reason", "diff", "status"]);
  assert.equal(step.status, "not run", "the run stopped before it");
});

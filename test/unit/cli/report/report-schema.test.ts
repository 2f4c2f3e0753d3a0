/**
 * The one --json shape on runs over the fake cluster: provision's dry run and real run, and a
 * status report, built as the commands build them, validate against docs/report.schema.json
 * (ajv); the steps of the real run say done, the dry run's planned.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { projectRoot } from "../../../../src/paths.js";
import { buildRunReport, REPORT_SCHEMA_FILE } from "../../../../src/cli/report/run-report.js";
import type { ReportParts } from "../../../../src/cli/report/run-report.js";
import { provisionParts } from "../../../../src/cli/report/json-report.js";
import { StepTimes } from "../../../../src/cli/report/step-times.js";
import { statusParts } from "../../../../src/cli/commands/status.js";
import { provision } from "../../../../src/provision/provision.js";
import { buildStatusReport } from "../../../../src/status/report.js";
import { driftedFacts, fakeCluster, fakeEdges } from "../../../support/fakes/cluster.js";
import type { FakeCluster } from "../../../support/fakes/cluster.js";
import { healthyInput } from "../../status/status-input.js";

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(join(projectRoot(), REPORT_SCHEMA_FILE), "utf8")) as object,
);

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

function checked(command: "provision" | "status", parts: Omit<ReportParts, "redactor">, exitCode = 0) {
  const report = JSON.parse(
    JSON.stringify(buildRunReport({ command, inventory: "inventory.yaml", start: new Date(0), end: new Date(2500), exitCode }, parts)),
  );
  assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  return report as { run: { ok: boolean; exitCode: number }; steps: Array<{ status: string }>; hosts: unknown[]; error: unknown };
}

test("provision's dry run and real run over the fake cluster: reports of the one shape, steps planned then done", async () => {
  for (const dryRun of [true, false]) {
    cluster = fakeCluster(driftedFacts);
    const times = new StepTimes();
    const r = await provision(cluster.inv, {
      ...fakeEdges(cluster),
      dryRun,
      reinitializeDatabase: false,
      isInterrupted: () => false,
      emit: (e) => times.record(e),
    });
    const report = checked("provision", provisionParts({ dryRun, result: r, outcomes: r.outcomes, stepTimes: times }), dryRun ? 3 : 0);
    assert.equal(report.run.ok, true);
    assert.equal(report.error, null);
    assert.equal(report.hosts.length, 5);
    assert.ok(report.steps.length > 10);
    assert.deepEqual([...new Set(report.steps.map((s) => s.status))], [dryRun ? "planned" : "done"]);
    cluster.remove();
    cluster = undefined;
  }
});

test("a status report: hosts with their state, problems as items, the cluster in details", () => {
  const report = checked("status", statusParts(buildStatusReport(healthyInput()), undefined));
  assert.equal(report.hosts.length, 5);
  assert.equal(report.run.ok, true);
});

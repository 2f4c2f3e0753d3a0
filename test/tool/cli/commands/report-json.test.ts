/**
 * Every command's --json is the one shape docs/report.schema.json describes (validated with
 * ajv), on success, on a refused preflight and on a fatal error: run (command, start, end, exit
 * code), hosts, steps, problems as items, error as an object. The hosts are unreachable: every
 * SSH connection goes through a "jump host" that is a TCP server of this test and hangs up.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { projectRoot } from "../../../../src/paths.js";
import { REPORT_SCHEMA_FILE, renderReportJsonSchema } from "../../../../src/cli/report/run-report.js";
import { runCli } from "../../../e2e/helpers/cli.js";
import { UNREACHABLE_ENV, unreachableExample } from "../../../support/unreachable-example.js";
import type { UnreachableExample } from "../../../support/unreachable-example.js";

const schemaText = readFileSync(join(projectRoot(), REPORT_SCHEMA_FILE), "utf8");
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(schemaText) as object);

interface Report {
  run: { command: string; exitCode: number; ok: boolean; start: string; end: string };
  hosts: Array<{ name: string; status: string }>;
  steps: unknown[];
  problems: Array<{ host?: string; path?: string; line?: number; message: string; hint?: string }>;
  error: { message: string; exitCode: number } | null;
}

/** Parses stdout as the report, checks it against the schema and against the process's exit code. */
function reportOf(r: { code: number | null; stdout: string; stderr: string }, command: string): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    assert.fail(`${command} --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  assert.ok(validate(doc), `${command}: ${JSON.stringify(validate.errors, null, 2)}`);
  const report = doc as Report;
  assert.equal(report.run.command, command);
  assert.equal(report.run.exitCode, r.code, "the report's exit code is the process's");
  // An error ends the run with its own exit code; without one, 0, 3 (changes pending) or 1 (unhealthy, drill failed).
  if (report.error) assert.equal(report.error.exitCode, r.code);
  else assert.ok([0, 1, 3].includes(r.code ?? -1));
  assert.equal(report.run.ok, report.error === null && (r.code === 0 || r.code === 3));
  assert.ok(Date.parse(report.run.end) >= Date.parse(report.run.start));
  return report;
}

describe("every command's --json follows docs/report.schema.json", () => {
  let world: UnreachableExample;
  let dir = "";
  let inventory = "";

  before(async () => {
    world = await unreachableExample("hha-report-");
    ({ dir, inventory } = world);
    writeFileSync(join(dir, "broken.yaml"), world.text.replace(/^cluster:\n/m, "cluster:\n  colour: blue\n"));
  });
  after(() => world.close());

  const env = UNREACHABLE_ENV;
  const run = (args: string[]) => runCli([...args, "--json"], { env, timeoutMs: 120_000 });

  it("the shipped schema is the one harbor-ha schema --report prints", () => {
    assert.equal(schemaText, renderReportJsonSchema(), `run: harbor-ha schema --report > ${REPORT_SCHEMA_FILE}`);
  });

  it("validate: a valid inventory, then an invalid one whose problems are items with their YAML path", async () => {
    const ok = reportOf(await run(["validate", inventory]), "validate");
    assert.equal(ok.run.ok, true);
    const bad = reportOf(await run(["validate", join(dir, "broken.yaml")]), "validate");
    assert.equal(bad.run.exitCode, 2);
    assert.ok(
      bad.problems.some((p) => p.path?.startsWith("cluster") && p.line !== undefined),
      JSON.stringify(bad.problems),
    );
  });

  it("provision --dry-run with no host reachable: a refused preflight, each host a problem item, every host not started", async () => {
    const r = reportOf(await run(["provision", inventory, "--dry-run"]), "provision");
    assert.equal(r.run.exitCode, 1);
    assert.ok(r.error?.message.startsWith("preflight failed"), r.error?.message);
    assert.deepEqual(r.problems.map((p) => p.host).sort(), ["harbor1", "harbor2", "harbor3", "lb1", "lb2"]);
    assert.ok(r.hosts.length === 5 && r.hosts.every((h) => h.status === "not started"), JSON.stringify(r.hosts));
  });

  for (const command of ["provision", "reconfigure", "rotate-certs", "status", "failover-drill"]) {
    it(`${command}: a fatal error (a --limit naming no host) is a report too`, async () => {
      const r = reportOf(await run([command, inventory, "--limit", "harbor9"]), command);
      assert.equal(r.run.exitCode, 2);
      assert.match(r.error?.message ?? "", /--limit "harbor9" matches no host/);
    });
  }

  for (const command of ["reconfigure", "rotate-certs", "upgrade", "status", "failover-drill", "adopt"]) {
    it(`${command}: with no host reachable, a report with the error`, async () => {
      const r = reportOf(await run([command, inventory, ...(["status", "failover-drill", "adopt"].includes(command) ? [] : ["--dry-run"])]), command);
      assert.notEqual(r.run.exitCode, 0);
      assert.equal(r.run.ok, false);
    });
  }
});

/**
 * `status --json` on a fatal error still prints a report: the error as an object (message, hint,
 * exit code) and an inventory's problems as items, so a script learns why there is no status.
 * No network: the errors come before any host is contacted.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../../../src/paths.js";
import { runCli } from "../../../e2e/helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "hha-status-json-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ErrorReport {
  run: { command: string; ok: boolean; exitCode: number };
  problems: Array<{ path?: string; line?: number; severity?: string; message: string }>;
  error: { message: string; hint?: string; exitCode: number };
}

describe("status --json on a fatal error", () => {
  it("a missing inventory: the error object, exit 2", async () => {
    const r = await runCli(["status", join(dir, "absent.yaml"), "--json"]);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as ErrorReport;
    assert.equal(report.run.command, "status");
    assert.equal(report.run.ok, false);
    assert.equal(report.run.exitCode, 2);
    assert.equal(report.error.exitCode, 2);
    assert.match(report.error.message, /absent\.yaml/);
  });

  it("an invalid inventory: each problem an item with its path and line", async () => {
    const inv = join(dir, "bad.yaml");
    writeFileSync(
      inv,
      readFileSync(join(projectRoot(), "inventory", "example.yaml"), "utf8").replace("virtual_router_id: 51", "virtual_router_id: 300"),
    );
    const r = await runCli(["status", inv, "--json"]);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as ErrorReport;
    const problem = report.problems.find((p) => p.path === "keepalived.virtual_router_id");
    assert.ok(problem, r.stdout);
    assert.equal(problem.severity, "error");
    assert.ok((problem.line ?? 0) > 0);
    assert.match(problem.message, /between 1 and 255/);
  });
});

/** The dry run's text: the release change, the migrations core will run, every stage, each node's steps, the rollback. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cmd } from "../../../src/shell/command.js";
import type { Step } from "../../../src/steps/types.js";
import { planBackup } from "../../../src/plan/upgrade/backup.js";
import { parseMigrationFiles } from "../../../src/plan/upgrade/migrations.js";
import { planUpgrade } from "../../../src/plan/upgrade/upgrade-plan.js";
import type { UpgradeStrategy } from "../../../src/plan/upgrade/upgrade-plan.js";
import { formatUpgradePlan, upgradeJson } from "../../../src/roll/upgrade-report.js";
import type { UpgradeResult } from "../../../src/roll/upgrade.js";

const step = (host: string, title: string): Step => ({
  host,
  phase: "harbor",
  kind: "install",
  title,
  reason: "r",
  action: { type: "run", command: cmd("true") },
});

function result(strategy: UpgradeStrategy): UpgradeResult {
  const nodes = ["harbor1", "harbor2"].map((name, i) => ({ name, address: `10.0.0.${i + 1}` }));
  const plan = planUpgrade({
    change: { kind: "upgrade", from: "2.13.4", to: "2.15.2", step: "minor", done: [] },
    strategy,
    serial: 1,
    nodes: nodes.map((n) => ({ node: n, steps: [step(n.name, "run install.sh --with-trivy")] })),
    allNodes: nodes,
    schema: { version: 160, dirty: false },
    migrations: parseMigrationFiles(["0160_2.13.0_schema.up.sql", "0170_2.14.0_schema.up.sql", "0180_2.15.0_schema.up.sql"]),
    migrationsSource: "/b/harbor-db-migrations-v2.15.2.tgz",
    backup: planBackup("lab", "2.13.4", new Date("2026-12-08T03:15:00Z"), "/backups", "/state"),
    nodeFiles: ["/opt/harbor/harbor.yml"],
    checks: ["every node healthy"],
    config: { file: "/opt/harbor/harbor.yml", fromVersion: "2.13.0", toVersion: "2.15.0" },
    readOnly: (on, host) => step(host, `read-only ${on ? "ON" : "OFF"}`),
  });
  return {
    dryRun: true,
    setup: { change: { kind: "upgrade", from: "2.13.4", to: "2.15.2", step: "minor", done: [] }, plan } as unknown as UpgradeResult["setup"],
    nodeCopies: {},
    roll: {} as UpgradeResult["roll"],
    rolledBack: false,
    totalMs: 1500,
  };
}

test("rolling: the migrations above the schema's version, the stages in order, each node's steps, the rollback", () => {
  const text = formatUpgradePlan(result("rolling"));
  assert.match(text, /^Upgrade 2\.13\.4 → 2\.15\.2 \(minor\), strategy rolling, --serial 1\n/);
  assert.match(text, /schema_migrations 160 → 180\n {2}170 {2}0170_2\.14\.0_schema\.up\.sql\n {2}180 {2}0180_2\.15\.0_schema\.up\.sql\n\n/);
  assert.deepEqual(
    [...text.matchAll(/^ {2}\d+\. ([a-z-]+):/gm)].map((m) => m[1]),
    ["preflight", "backup", "migrate-config", "read-only", "first-node", "roll", "read-only", "verify"],
  );
  assert.match(text, /backup: pg_dump --format=custom → \/backups\/lab-2\.13\.4-20261208T031500Z\.pgdump \(verified with pg_restore --list/);
  assert.match(text, /harbor1: run install\.sh --with-trivy\n/);
  assert.match(
    text,
    /Rollback if harbor1 fails its gate or leaves the schema dirty: pg_restore --clean \/backups\/lab-2\.13\.4-20261208T031500Z\.pgdump/,
  );
});

test("stop-all: no read-only stage; every node stopped before the first node", () => {
  const text = formatUpgradePlan(result("stop-all"));
  assert.match(text, /strategy stop-all\n/);
  assert.doesNotMatch(text, /read-only:/);
  assert.match(text, /stop-all: stop Harbor on harbor1, harbor2 \(every node down before the first new core starts\)\n {2}5\. first-node/);
});

test("--json: the plan's stages and migrations, no secret-bearing value, the timings in seconds", () => {
  const json = upgradeJson(result("rolling")) as {
    plan: { migrations: Array<{ version: number }>; stages: Array<{ kind: string }> };
    totalSeconds: number;
  };
  assert.deepEqual(
    json.plan.migrations.map((m) => m.version),
    [170, 180],
  );
  assert.equal(json.plan.stages.length, 8);
  assert.equal(json.totalSeconds, 1.5);
});

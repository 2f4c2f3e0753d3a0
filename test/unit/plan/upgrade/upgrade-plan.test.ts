/** planUpgrade: the stages in order for each strategy, the migrations listed, the rollback, and what is refused. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cmd } from "../../../../src/shell/command.js";
import type { Step } from "../../../../src/steps/types.js";
import { planBackup } from "../../../../src/plan/upgrade/backup.js";
import { parseMigrationFiles } from "../../../../src/plan/upgrade/migrations.js";
import { planUpgrade, UpgradePlanRefused } from "../../../../src/plan/upgrade/upgrade-plan.js";
import type { UpgradePlanInput, UpgradeStage } from "../../../../src/plan/upgrade/upgrade-plan.js";

const node = (i: number) => ({ name: `harbor${i}`, address: `10.0.0.${i}` });
const installStep = (host: string): Step => ({
  host,
  phase: "harbor",
  kind: "install",
  title: "run install.sh",
  reason: "the bundle changed",
  action: { type: "run", command: cmd("true") },
});
const readOnly = (on: boolean, host: string): Step => ({
  ...installStep(host),
  kind: "settings",
  title: `read-only ${on ? "on" : "off"} on ${host}`,
});
const MIGRATIONS = parseMigrationFiles([
  "0160_2.13.0_schema.up.sql",
  "0170_2.14.0_schema.up.sql",
  "0171_2.14.1_schema.up.sql",
  "0180_2.15.0_schema.up.sql",
]);
const AT = new Date("2026-12-08T03:15:00.000Z");

function input(over: Partial<UpgradePlanInput> = {}): UpgradePlanInput {
  const all = [1, 2, 3, 4].map(node);
  return {
    change: { kind: "upgrade", from: "2.13.4", to: "2.15.2", step: "minor", done: [] },
    strategy: "rolling",
    serial: 2,
    nodes: all.map((n) => ({ node: n, steps: [installStep(n.name)] })),
    allNodes: all,
    schema: { version: 160, dirty: false },
    migrations: MIGRATIONS,
    migrationsSource: "/b/harbor-db-migrations-v2.15.2.tgz",
    backup: planBackup("lab", "2.13.4", AT, "/backups", "/state"),
    nodeFiles: ["/opt/harbor/harbor.yml", "/data/secret/keys/secretkey"],
    checks: ["every node healthy"],
    config: { file: "/opt/harbor/harbor.yml", fromVersion: "2.13.0", toVersion: "2.15.0" },
    readOnly,
    ...over,
  };
}

const shape = (stages: readonly UpgradeStage[]) =>
  stages.map((s) => {
    switch (s.kind) {
      case "read-only":
        return `read-only ${s.on ? "on" : "off"} via ${s.step.host}`;
      case "first-node":
        return `first-node ${s.node.node.name}`;
      case "roll":
        return `roll ${s.batches.map((b) => b.map((n) => n.node.name).join("+")).join(" | ")}`;
      case "stop-all":
        return `stop-all ${s.nodes.map((n) => n.name).join(",")}`;
      case "migrate-config":
        return `migrate-config ${s.node}`;
      default:
        return s.kind;
    }
  });

test("rolling: backup, harbor.yml migrated, read-only on before any node changes, one node first, the others --serial at a time, read-only off, verify", () => {
  const p = planUpgrade(input());
  assert.deepEqual(shape(p.stages), [
    "preflight",
    "backup",
    "migrate-config harbor1",
    "read-only on via harbor1",
    "first-node harbor1",
    "roll harbor2+harbor3 | harbor4",
    "read-only off via harbor1",
    "verify",
  ]);
  assert.deepEqual(
    p.migrations.map((m) => m.version),
    [170, 171, 180],
  );
  assert.equal(p.schemaAfter, 180);
  assert.deepEqual(p.rollback, { restore: "/backups/lab-2.13.4-20261208T031500Z.pgdump", node: "harbor1", release: "2.13.4" });
  const first = p.stages.find((s) => s.kind === "first-node");
  assert.deepEqual(first?.kind === "first-node" && first.migrations.map((m) => m.file), [
    "0170_2.14.0_schema.up.sql",
    "0171_2.14.1_schema.up.sql",
    "0180_2.15.0_schema.up.sql",
  ]);
  const backup = p.stages.find((s) => s.kind === "backup");
  assert.equal(backup?.kind === "backup" && backup.database.checksumFile, "/backups/lab-2.13.4-20261208T031500Z.pgdump.sha256");
  assert.equal(backup?.kind === "backup" && backup.database.nodeFilesDir, "/state/upgrades/lab-2.13.4-20261208T031500Z");
  assert.equal(backup?.kind === "backup" && backup.nodes.length, 4);
});

test("stop-all: every node stopped before the first new core starts; no read-only mode (nothing serves); the rest together", () => {
  const p = planUpgrade(input({ strategy: "stop-all" }));
  assert.deepEqual(shape(p.stages), [
    "preflight",
    "backup",
    "migrate-config harbor1",
    "stop-all harbor1,harbor2,harbor3,harbor4",
    "first-node harbor1",
    "roll harbor2+harbor3+harbor4",
    "verify",
  ]);
});

test("a re-run after the first node migrated the schema: no second backup, no first node; the rest roll", () => {
  const two = [2, 3, 4].map(node);
  const p = planUpgrade(
    input({
      change: { kind: "upgrade", from: "2.13.4", to: "2.15.2", step: "minor", done: ["harbor1"] },
      nodes: two.map((n) => ({ node: n, steps: [installStep(n.name)] })),
      schema: { version: 180, dirty: false },
      serial: 1,
    }),
  );
  assert.deepEqual(shape(p.stages), [
    "preflight",
    "migrate-config harbor2",
    "read-only on via harbor1",
    "roll harbor2 | harbor3 | harbor4",
    "read-only off via harbor1",
    "verify",
  ]);
  assert.equal(p.rollback, undefined, "the schema is migrated: a failure now is fixed forward");
  assert.deepEqual(p.migrations, []);
});

test("a patch upgrade whose release adds no migration still goes one node first", () => {
  const p = planUpgrade(
    input({ change: { kind: "upgrade", from: "2.15.1", to: "2.15.2", step: "patch", done: [] }, schema: { version: 180, dirty: false } }),
  );
  assert.deepEqual(p.migrations, []);
  assert.equal(shape(p.stages)[4], "first-node harbor1");
});

test("a dirty schema, a schema newer than the release, or no migration files: refused with what to do", () => {
  assert.throws(
    () => planUpgrade(input({ schema: { version: 170, dirty: true } })),
    (e: unknown) => {
      assert.ok(e instanceof UpgradePlanRefused);
      assert.match(e.message, /dirty at version 170/);
      assert.match(e.hint, /pg_restore --clean/);
      return true;
    },
  );
  assert.throws(() => planUpgrade(input({ schema: { version: 190, dirty: false } })), /version 190, newer than Harbor 2\.15\.2's last migration 180/);
  assert.throws(() => planUpgrade(input({ migrations: [] })), /holds no schema migration/);
});

test("a stopped upgrade continued before its first node finished: the earlier run's backup is the one restored, none taken again", () => {
  const earlier = planBackup("lab", "2.13.4", new Date("2026-12-08T02:00:00.000Z"), "/backups", "/state");
  const p = planUpgrade(input({ resumedBackup: earlier }));
  assert.ok(!p.stages.some((s) => s.kind === "backup"));
  assert.equal(p.resumed, true);
  assert.equal(p.rollback?.restore, "/backups/lab-2.13.4-20261208T020000Z.pgdump");
  assert.equal(shape(p.stages)[3], "first-node harbor1");
});

test("a run killed while the first node installed left it down: read-only on through a node that answers, off through both (the stopped run's stamp emptied)", () => {
  const p = planUpgrade(input({ schema: { version: 180, dirty: false }, answering: ["harbor2", "harbor3", "harbor4"], serial: 1 }));
  assert.deepEqual(shape(p.stages), [
    "preflight",
    "backup",
    "migrate-config harbor1",
    "read-only on via harbor2",
    "first-node harbor1",
    "roll harbor2 | harbor3 | harbor4",
    "read-only off via harbor2",
    "read-only off via harbor1",
    "verify",
  ]);
  assert.equal(
    shape(planUpgrade(input({ answering: ["harbor1", "harbor2"] })).stages)[3],
    "read-only on via harbor1",
    "the first node answers: through it",
  );
});

test("a run killed in the first node's health gate left it on the new release but drained: it rolls first (gate, undrain), never upgraded again; then the others", () => {
  const p = planUpgrade(
    input({
      change: { kind: "upgrade", from: "2.13.4", to: "2.15.2", step: "minor", done: ["harbor1"] },
      schema: { version: 180, dirty: false },
      serial: 1,
    }),
  );
  assert.deepEqual(shape(p.stages), [
    "preflight",
    "migrate-config harbor2",
    "read-only on via harbor1",
    "roll harbor1 | harbor2 | harbor3 | harbor4",
    "read-only off via harbor1",
    "verify",
  ]);
  assert.equal(p.rollback, undefined);
});

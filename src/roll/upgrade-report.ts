/** What upgrade tells the operator: the plan (dry run) and the outcome. Pure; the CLI passes every string through the Redactor. */
import type { UpgradePlan } from "../plan/upgrade/upgrade-plan.js";
import { describeUpgradeStage } from "./upgrade.js";
import type { UpgradeResult } from "./upgrade.js";
import type { RollbackTarget } from "./upgrade-rollback.js";

export function formatUpgradePlan(r: UpgradeResult): string {
  if (r.rollbackOfStopped) return formatStoppedRollback(r.rollbackOfStopped);
  if (!r.setup) return "";
  const { change, plan } = r.setup;
  if (change.kind === "none" || !plan) return `Every node runs Harbor ${change.kind === "none" ? change.release : "?"}: nothing to upgrade.\n`;
  const lines = [
    `Upgrade ${plan.from} → ${plan.to} (${plan.step}), strategy ${plan.strategy}${plan.strategy === "rolling" ? `, --serial ${plan.serial}` : ""}` +
      (plan.done.length > 0 ? `; continuing: ${plan.done.join(", ")} already on ${plan.to}` : ""),
    `Schema migrations core will run (${plan.migrationsSource}): schema_migrations ${plan.schema.version} → ${plan.schemaAfter}`,
    ...(plan.migrations.length === 0 ? ["  none"] : plan.migrations.map((m) => `  ${m.version}  ${m.file}`)),
    ...(plan.resumed ? [`Continuing a stopped upgrade: its backup ${plan.backup.file} is the one a rollback restores (not taken again).`] : []),
    "",
    "Stages:",
    ...plan.stages.map((s, i) => `  ${i + 1}. ${s.kind}: ${describeUpgradeStage(s, plan)}`),
    ...nodeSteps(plan),
    "",
    plan.rollback
      ? `Rollback if ${plan.rollback.node} fails its gate or leaves the schema dirty: pg_restore --clean ${plan.rollback.restore}, ${plan.rollback.node} back on ${plan.rollback.release}, read-only off; exit 1.`
      : "No rollback: the schema is migrated already; a failure stops the run, and running it again continues.",
  ];
  return `${lines.join("\n")}\n`;
}

function formatStoppedRollback(t: RollbackTarget): string {
  return (
    `A stopped upgrade ${t.from} → ${t.to} left the database schema dirty (a migration failed part-way): this run rolls it back.\n` +
    `  restore ${t.backup.file} (pg_restore --clean), ${t.node} back on ${t.from}` +
    `${
      t.strategy === "rolling"
        ? ", read-only off"
        : `, ${
            t.stopped
              .filter((n) => n.name !== t.node)
              .map((n) => n.name)
              .join(", ") || "no other node"
          } started again`
    }; exit 1.\n`
  );
}

function nodeSteps(plan: UpgradePlan): string[] {
  const out: string[] = [];
  for (const s of plan.stages) {
    const nodes = s.kind === "first-node" ? [s.node] : s.kind === "roll" ? s.batches.flat() : [];
    for (const n of nodes) out.push(`     ${n.node.name}: ${n.steps.map((x) => x.title).join("; ")}`);
  }
  return out.length > 0 ? ["", "  Each node's steps:", ...out] : [];
}

export function formatUpgradeDone(r: UpgradeResult): string {
  const plan = r.setup?.plan;
  if (!plan) return formatUpgradePlan(r);
  return (
    [
      `Upgraded to Harbor ${plan.to}: schema_migrations ${plan.schemaAfter}, every node healthy.`,
      r.backup ? `Backup: ${r.backup.file} (${r.backup.bytes} bytes, ${r.backup.entries} entries, sha256 ${r.backup.sha256})` : "",
      r.readOnlyMs !== undefined
        ? `Read-only for ${(r.readOnlyMs / 1000).toFixed(1)} s; total ${(r.totalMs / 1000).toFixed(1)} s.`
        : `Total ${(r.totalMs / 1000).toFixed(1)} s.`,
    ]
      .filter((l) => l !== "")
      .join("\n") + "\n"
  );
}

/** The --json report: the plan and the outcome; no secret is in either. */
export function upgradeJson(r: UpgradeResult | undefined, error?: { message: string; hint?: string }): unknown {
  const plan = r?.setup?.plan;
  return {
    command: "upgrade",
    dryRun: r?.dryRun,
    change: r?.setup?.change ?? null,
    rollbackOfStopped: r?.rollbackOfStopped ?? null,
    plan: plan
      ? {
          from: plan.from,
          to: plan.to,
          strategy: plan.strategy,
          serial: plan.serial,
          schema: plan.schema,
          schemaAfter: plan.schemaAfter,
          migrations: plan.migrations,
          backup: plan.backup,
          stages: plan.stages.map((s) => ({ kind: s.kind, description: describeUpgradeStage(s, plan) })),
          rollback: plan.rollback ?? null,
        }
      : null,
    backup: r?.backup ?? null,
    rolledBack: r?.rolledBack ?? false,
    readOnlySeconds: r?.readOnlyMs === undefined ? null : r.readOnlyMs / 1000,
    totalSeconds: r ? r.totalMs / 1000 : null,
    ...(error ? { error } : {}),
  };
}

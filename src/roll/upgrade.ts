/**
 * harbor-ha upgrade: a 2.x cluster from one release to the next, executing the upgrade plan
 * (plan/upgrade/upgrade-plan.ts) stage by stage as --dry-run printed it. The nodes roll through
 * the roll's own stages (drain → install → health gate → undrain); when the first node fails
 * its gate or leaves the schema dirty, the run rolls back: Harbor stopped on that node, the
 * backup restored (pg_restore --clean), the old release's bundle extracted again there with its
 * harbor.yml and secrets put back, install.sh, read-only off; then it exits non-zero.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Harbor2VmInventory, Inventory } from "../inventory/model.js";
import { EXIT_INTERRUPTED, HarborHaError } from "../errors.js";
import { prepareClusterRun } from "../run/cluster-run.js";
import { warningsTo, withClusterRun } from "../run/with-cluster-run.js";
import type { AuditTrail } from "../run/with-cluster-run.js";
import { verifyNodesHealthy } from "../gather/verify.js";
import { executeStep } from "../execute/execute-step.js";
import { dumpDatabase, readDatabaseForUpgrade } from "../db/pg/backup.js";
import type { VerifiedDump } from "../db/pg/backup.js";
import { checksumLine } from "../plan/upgrade/backup.js";
import type { UpgradePlan, UpgradeStage } from "../plan/upgrade/upgrade-plan.js";
import type { SshPool } from "../remote/pool.js";
import { cmd } from "../shell/command.js";
import { HARBOR2_RELEASE_STAMP_PATH } from "../harbor/v2/data/layout.js";
import { DEFAULT_GATE, realClock } from "./node-roll.js";
import { runStages } from "./stages.js";
import type { StageContext } from "./stages.js";
import { applyStopHarbor } from "./stop-removed.js";
import { prepareUpgrade } from "./upgrade-setup.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { clearUpgradeJournal, readUpgradeJournal, writeUpgradeJournal } from "../secrets/upgrade-journal.js";
import type { DesiredPgDatabase } from "../desired/types.js";
import type { Redactor } from "../inventory/secret.js";
import type { UpgradeSetup } from "./upgrade-setup.js";
import { rollBackUpgrade } from "./upgrade-rollback.js";
import type { RollbackTarget } from "./upgrade-rollback.js";
import type { ReconfigureOptions, ReconfigureResult } from "./types.js";
import type { UpgradeStrategy } from "../plan/upgrade/upgrade-plan.js";

export interface UpgradeOptions extends Omit<ReconfigureOptions, "command" | "limit" | "purge"> {
  strategy: UpgradeStrategy;
  now?: () => Date;
}

export interface UpgradeResult {
  dryRun: boolean;
  /** Undefined when the run rolls back a stopped upgrade instead (rollbackOfStopped). */
  setup?: UpgradeSetup;
  /** A stopped run left the schema dirty: this run rolls that upgrade back (or, dry, would). */
  rollbackOfStopped?: RollbackTarget;
  backup?: VerifiedDump;
  /** The node copies kept in the state folder, by node. */
  nodeCopies: Record<string, string[]>;
  roll: ReconfigureResult;
  rolledBack: boolean;
  /** ms from read-only on to off; ms of the whole run. */
  readOnlyMs?: number;
  totalMs: number;
}

export class UpgradeFailed extends HarborHaError {
  constructor(
    message: string,
    readonly partial: UpgradeResult,
    hint: string,
    exitCode = 1,
  ) {
    super(message, { hint, exitCode });
  }
}

export async function upgrade(inv: Inventory, opts: UpgradeOptions): Promise<UpgradeResult> {
  if (inv.generation !== 2) throw harbor1Refusal(inv);
  const started = Date.now();
  const now = (opts.now ?? (() => new Date()))();
  const { state, redactor, desired, bundle, pool, database } = await prepareClusterRun(inv, opts);
  const settings = { command: "upgrade", forceUnlock: opts.forceUnlock, isInterrupted: opts.isInterrupted, ...warningsTo(opts.emit) };
  // The roll's stages run the upgrade's node steps: the same context for the upgrade and its rollback.
  const stageContext = (result: ReconfigureResult, audit: StageContext["audit"]): StageContext => ({
    pool,
    inv,
    opts: { ...opts, command: "upgrade", purge: false },
    clock: opts.clock ?? realClock,
    gate: opts.gate ?? DEFAULT_GATE,
    result,
    audit,
  });
  return withClusterRun(pool, inv, settings, async (cluster) => {
    opts.emit({
      type: "phase",
      phase: "preflight",
      description: "connecting, gathering facts, health, the database's schema, the new release's migrations (read-only)",
    });
    const pg = desired.database as DesiredPgDatabase;
    const stoppedRun = await stoppedUpgradeToRollBack(inv, pg);
    if (stoppedRun) {
      const result: UpgradeResult = {
        dryRun: opts.dryRun,
        rollbackOfStopped: stoppedRun,
        nodeCopies: {},
        roll: bareRollResult(opts, redactor),
        rolledBack: false,
        totalMs: 0,
      };
      if (opts.dryRun) return result;
      return cluster.changing(async (audit) => {
        await rollBackUpgrade(stageContext(result.roll, audit), inv, pg, stoppedRun);
        result.rolledBack = true;
        result.totalMs = Date.now() - started;
        throw new UpgradeFailed(
          `a stopped upgrade to Harbor ${stoppedRun.to} had left the schema dirty; it was rolled back: the database restored from ${stoppedRun.backup.file}, ${stoppedRun.node} back on ${stoppedRun.from}`,
          result,
          `The cluster runs ${stoppedRun.from}. Look at core's log on ${stoppedRun.node} (/var/log/harbor/core.log) for the failed migration before upgrading again.`,
        );
      });
    }
    const setup = await prepareUpgrade(pool, inv, state, desired, bundle, redactor, {
      database,
      startupTimeoutMs: (opts.gate ?? DEFAULT_GATE).timeoutMs,
      serial: opts.serial,
      dryRun: opts.dryRun,
      strategy: opts.strategy,
      now,
    });
    const roll: ReconfigureResult = {
      command: "upgrade",
      dryRun: opts.dryRun,
      plan: setup.roll.plan,
      rollPlan: setup.roll.rollPlan,
      changed: setup.plan !== undefined,
      added: [],
      removed: [],
      loadBalancers: {},
      settings: [],
      roll: { rolled: [], notTouched: setup.roll.batches.flat(), stopped: false },
      batches: setup.roll.batches.map((b) => b.map((n) => n.name)),
      executed: [],
      redactor,
    };
    const result: UpgradeResult = { dryRun: opts.dryRun, setup, nodeCopies: {}, roll, rolledBack: false, totalMs: 0 };
    // Every node on the new release, one left drained (a run killed in the last node's health gate): gated and put back.
    const leftDrained = setup.change.kind === "none" && setup.roll.drained.length > 0;
    if (!opts.dryRun && !setup.plan && leftDrained)
      return cluster.changing(async (audit) => {
        const ctx: StageContext = {
          pool,
          inv,
          opts: { ...opts, command: "upgrade", purge: false },
          clock: opts.clock ?? realClock,
          gate: opts.gate ?? DEFAULT_GATE,
          result: roll,
          audit,
        };
        await runStages(
          ctx,
          setup.roll.rollPlan.stages.filter((s) => s.kind === "roll"),
        );
        if (roll.roll.stopped)
          throw new UpgradeFailed(
            `a node left drained by a stopped upgrade failed its health gate`,
            result,
            "Look at the node named above, then run the same command again.",
          );
        return { ...result, totalMs: Date.now() - started };
      });
    if (opts.dryRun || !setup.plan) return { ...result, totalMs: Date.now() - started };
    const plan = setup.plan;
    return cluster.changing(async (audit) => {
      const ctx = stageContext(roll, audit);
      const interrupted = (when: string) =>
        new UpgradeFailed(
          `upgrade to Harbor ${plan.to} interrupted ${when}`,
          result,
          'Run the same command again: it continues where it stopped (status says "upgrade in progress" until then).',
          EXIT_INTERRUPTED,
        );
      let readOnlySince: number | undefined;
      for (const stage of plan.stages) {
        opts.emit({ type: "phase", phase: stage.kind, description: describeUpgradeStage(stage, plan) });
        if (opts.isInterrupted()) throw interrupted(`before ${stage.kind}`);
        const ok = await runUpgradeStage(ctx, inv, setup, stage, result, audit);
        // Ctrl-C: the nodes under way finished; no rollback is started for it (the same command continues).
        if (opts.isInterrupted()) throw interrupted(`during ${stage.kind}`);
        if (stage.kind === "read-only") {
          if (stage.on) readOnlySince = Date.now();
          else if (readOnlySince !== undefined) result.readOnlyMs = Date.now() - readOnlySince;
        }
        if (!ok) {
          result.totalMs = Date.now() - started;
          if (stage.kind === "first-node") {
            await rollBackUpgrade(ctx, inv, setup.database, rollbackTarget(plan, stage.node.node.name));
            result.rolledBack = true;
            throw new UpgradeFailed(
              `upgrade to Harbor ${plan.to} failed on the first node ${stage.node.node.name} and was rolled back: the database restored from ${plan.backup.file}, ` +
                `${stage.node.node.name} back on ${plan.from}${plan.strategy === "rolling" ? ", read-only off" : ", the other nodes started again"}`,
              result,
              `Look at core's log on ${stage.node.node.name} (/var/log/harbor/core.log): a failed schema migration is the usual cause. The cluster runs ${plan.from} as before.`,
            );
          }
          throw new UpgradeFailed(
            `upgrade stopped in ${stage.kind}: the schema is migrated; nodes still on ${plan.from} stay as they were`,
            result,
            "Fix the node named above and run the same command again: it continues with the nodes not yet on the new release (read-only stays on until then).",
          );
        }
      }
      await clearUpgradeJournal(clusterStateDir(inv));
      result.totalMs = Date.now() - started;
      return result;
    });
  });
}

/**
 * The upgrade the state folder's journal says is under way, when the schema is dirty: a run
 * stopped while the first node's core migrated (killed, or between the failure and its
 * rollback). Continuing cannot work (every core refuses a dirty schema): it is rolled back.
 */
async function stoppedUpgradeToRollBack(inv: Harbor2VmInventory, db: DesiredPgDatabase): Promise<RollbackTarget | undefined> {
  const journal = await readUpgradeJournal(clusterStateDir(inv));
  if (!journal?.firstNode || journal.to !== inv.data.cluster.harbor_version) return undefined;
  const now = await readDatabaseForUpgrade(db);
  if (now.schema.state !== "migrated" || !now.schema.dirty) return undefined;
  return {
    node: journal.firstNode,
    from: journal.from,
    to: journal.to,
    backup: journal.backup,
    strategy: journal.strategy ?? "rolling",
    stopped: journal.stopped ?? [],
  };
}

function bareRollResult(opts: UpgradeOptions, redactor: Redactor): ReconfigureResult {
  return {
    command: "upgrade",
    dryRun: opts.dryRun,
    plan: { hosts: [], problems: [] },
    rollPlan: { stages: [] },
    changed: true,
    added: [],
    removed: [],
    loadBalancers: {},
    settings: [],
    roll: { rolled: [], notTouched: [], stopped: false },
    batches: [],
    executed: [],
    redactor,
  };
}

async function runUpgradeStage(
  ctx: StageContext,
  inv: Harbor2VmInventory,
  setup: UpgradeSetup,
  stage: UpgradeStage,
  result: UpgradeResult,
  audit: AuditTrail,
): Promise<boolean> {
  const { pool } = ctx;
  switch (stage.kind) {
    case "preflight":
      return true;
    case "backup": {
      result.backup = await dumpDatabase(setup.database, stage.database.file, (sha) => checksumLine(sha, stage.database.file));
      for (const n of stage.nodes) result.nodeCopies[n.node] = await copyNodeFiles(pool, n.node, n.files, join(stage.database.nodeFilesDir, n.node));
      const plan = setup.plan as UpgradePlan;
      const target = plan.rollback ? rollbackTarget(plan, plan.rollback.node) : undefined;
      await writeUpgradeJournal(clusterStateDir(inv), {
        from: plan.from,
        to: plan.to,
        backup: stage.database,
        startedAt: new Date().toISOString(),
        ...(target ? { firstNode: target.node, strategy: target.strategy, stopped: [...target.stopped] } : {}),
      });
      return true;
    }
    case "migrate-config":
      await pool.withSession(stage.node, (s) =>
        s.runChecked(prepareMigrateCommand(stage.file, stage.release, stage.toVersion), {
          sudo: true,
          timeoutMs: 300_000,
          step: `harbor.yml migrated by Harbor ${stage.release}'s prepare migrate`,
          hint: `Harbor ${stage.release}'s prepare does not read this harbor.yml: see its message above. Nothing changed on any node.`,
        }),
      );
      return true;
    case "read-only":
      await pool.withSession(stage.step.host, (s) => executeStep(s, stage.step));
      audit.record(stage.step.host, [stage.step.title]);
      return true;
    case "stop-all":
      for (const node of stage.nodes) await pool.withSession(node.name, (s) => applyStopHarbor(s, inv, false));
      return true;
    case "first-node": {
      await runStages(ctx, [{ kind: "roll", batches: [[stage.node]] }]);
      if (ctx.result.roll.stopped) return false;
      const db = await readDatabaseForUpgrade(setup.database);
      if (db.schema.state !== "migrated" || db.schema.dirty || db.schema.version !== stage.schemaAfter) {
        ctx.opts.emit({
          type: "note",
          level: "warn",
          message: `schema_migrations after the first node: ${JSON.stringify(db.schema)}, expected ${stage.schemaAfter} not dirty`,
        });
        return false;
      }
      return true;
    }
    case "roll":
      await runStages(ctx, [{ kind: "roll", batches: stage.batches }]);
      return !ctx.result.roll.stopped;
    case "verify": {
      await verifyNodesHealthy(pool, inv);
      for (const node of stage.nodes) {
        const r = await pool.withSession(node, (s) =>
          s.runChecked(cmd("cat", "--", HARBOR2_RELEASE_STAMP_PATH), { sudo: true, step: "read the recorded release" }),
        );
        if (r.stdout.trim() !== stage.release)
          throw new HarborHaError(`${node} records Harbor ${r.stdout.trim() || "nothing"} in ${HARBOR2_RELEASE_STAMP_PATH}, not ${stage.release}`, {
            hint: "Run the same command again: the node is upgraded like the others.",
          });
      }
      const db = await readDatabaseForUpgrade(setup.database);
      if (db.schema.state !== "migrated" || db.schema.dirty || db.schema.version !== stage.schemaVersion)
        throw new HarborHaError(`after the upgrade schema_migrations is ${JSON.stringify(db.schema)}, not ${stage.schemaVersion} clean`, {
          hint: "Look at core's logs on the nodes; restore the backup if the schema is dirty.",
        });
      return true;
    }
  }
}

/**
 * `docker run -v /:/hostfs goharbor/prepare:v<to> migrate`, as Harbor's upgrade guide runs it
 * (prepare finds host paths under /hostfs itself): the node's harbor.yml read by the new
 * release's own migration, written to a root-only folder (it holds passwords).
 */
export const MIGRATED_CONFIG_DIR = "/var/lib/harbor-ha/upgrade";

function prepareMigrateCommand(file: string, release: string, toVersion: string) {
  return cmd(
    "sh",
    "-c",
    'set -e; mkdir -p -m 700 "$3"; chmod 700 "$3"; docker run --rm -v /:/hostfs "goharbor/prepare:v$1" migrate -i "$2" -o "$3/harbor.yml.v$1" -t "$4"',
    "sh",
    release,
    file,
    MIGRATED_CONFIG_DIR,
    toVersion,
  );
}

/** Each file (absent ones skipped) copied to the state folder, 0600; returns the paths copied. */
async function copyNodeFiles(pool: SshPool, node: string, files: readonly string[], dir: string): Promise<string[]> {
  const script = 'for f; do if [ -f "$f" ]; then printf "%s\\n" "$f"; base64 -w0 < "$f"; printf "\\n"; fi; done';
  const r = await pool.withSession(node, (s) =>
    s.runChecked(cmd("sh", "-c", script, "sh", ...files), { sudo: true, step: "copy its config and secrets to the state folder" }),
  );
  const lines = r.stdout.split("\n");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const copied: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const path = lines[i] as string;
    await writeFile(join(dir, path.replace(/\//g, "_")), Buffer.from(lines[i + 1] ?? "", "base64"), { mode: 0o600 });
    copied.push(path);
  }
  return copied;
}

/** The rollback of this run's plan: its first node, its backup, the nodes stop-all stopped. */
function rollbackTarget(plan: UpgradePlan, node: string): RollbackTarget {
  const stopAll = plan.stages.find((s) => s.kind === "stop-all");
  return {
    node,
    from: plan.from,
    to: plan.to,
    backup: plan.backup,
    strategy: plan.strategy,
    stopped: stopAll?.kind === "stop-all" ? stopAll.nodes : [],
  };
}

export function describeUpgradeStage(stage: UpgradeStage, plan: UpgradePlan): string {
  switch (stage.kind) {
    case "preflight":
      return `checked: ${stage.checks.join("; ")}`;
    case "backup":
      return `pg_dump --format=custom → ${stage.database.file} (verified with pg_restore --list, SHA-256 in ${stage.database.checksumFile}); config and secrets of ${stage.nodes.map((n) => n.node).join(", ")} → ${stage.database.nodeFilesDir} (0600)`;
    case "migrate-config":
      return `on ${stage.node}: Harbor ${stage.release}'s prepare migrate reads ${stage.file} (format ${stage.fromVersion} → ${stage.toVersion}); harbor-ha writes the ${stage.toVersion} harbor.yml it renders`;
    case "read-only":
      return `${stage.step.title} on ${stage.step.host}`;
    case "stop-all":
      return `stop Harbor on ${stage.nodes.map((n) => n.name).join(", ")} (every node down before the first new core starts)`;
    case "first-node":
      return (
        `${stage.node.node.name} first: drain → Harbor ${plan.to} installed → its core migrates the schema ` +
        (stage.migrations.length === 0
          ? `(no migration: already at ${stage.schemaAfter})`
          : `${plan.schema.version} → ${stage.schemaAfter} (${stage.migrations.map((m) => m.file).join(", ")})`) +
        " → health gate → undrain; on failure: rollback"
      );
    case "roll":
      return `then ${stage.batches.map((b) => b.map((n) => n.node.name).join("+")).join(", then ")}: drain → install → health gate → undrain`;
    case "verify":
      return `every node healthy, schema_migrations ${stage.schemaVersion} not dirty, Harbor ${stage.release} recorded on ${stage.nodes.join(", ")}`;
  }
}

function harbor1Refusal(inv: Inventory): HarborHaError {
  return new HarborHaError(`harbor-ha upgrade changes Harbor 2.x clusters; this inventory is Harbor ${inv.data.cluster.harbor_version} (1.x)`, {
    hint:
      "Upgrade Harbor 1.4.x → 1.5.x by Harbor's documented procedure: stop Harbor on every node (docker-compose down), back up the " +
      "MariaDB registry database (mysqldump --databases registry) and /data, run Harbor 1.5's migrator image against the database " +
      "(docker run goharbor/harbor-migrator:v1.5.x up, as Harbor's docs/migration_guide.md says), then set cluster.harbor_version and " +
      "installer.bundle to 1.5.x and run `harbor-ha provision`.",
    exitCode: 2,
  });
}

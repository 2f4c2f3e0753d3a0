/**
 * Before an upgrade changes anything: the roll's preflight (facts of every host, the plan
 * provision would make for the new release, health, batches), the release each node records,
 * the database's schema_migrations row and size, the new release's migration files, the backup
 * folder's room; then the upgrade as one value (plan/upgrade/upgrade-plan.ts), which --dry-run
 * prints and the run executes. Read-only.
 */
import { access, constants } from "node:fs/promises";
import type { Harbor2VmInventory } from "../inventory/model.js";
import type { ClusterState } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredPgDatabase, DesiredState } from "../desired/types.js";
import type { BundleInfo } from "../plan/harbor-node.js";
import { INSTALL_STAMP_PATH } from "../plan/harbor-node.js";
import type { SshPool } from "../remote/pool.js";
import { HarborHaError } from "../errors.js";
import { generationOf } from "../harbor/generations.js";
import { harbor2LineOfValidVersion } from "../harbor/versions.js";
import { HARBOR2_RELEASE_STAMP_PATH } from "../harbor/v2/data/layout.js";
import { harbor2Dir } from "../harbor/v2/node-files.js";
import { readOnlyStep } from "../harbor/v2/read-only.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { readUpgradeJournal } from "../secrets/upgrade-journal.js";
import { findMigrationsArchive, readMigrationNames } from "../bundle/db-migrations.js";
import { freeBytesAt, readDatabaseForUpgrade } from "../db/pg/backup.js";
import type { NodeSteps } from "../plan/roll/roll-plan.js";
import { planBackup } from "../plan/upgrade/backup.js";
import { parseMigrationFiles } from "../plan/upgrade/migrations.js";
import { planReleaseChange } from "../plan/upgrade/release-change.js";
import type { ReleaseChange } from "../plan/upgrade/release-change.js";
import { planUpgrade, UpgradePlanRefused } from "../plan/upgrade/upgrade-plan.js";
import type { UpgradePlan, UpgradeStrategy } from "../plan/upgrade/upgrade-plan.js";
import { prepareRoll, RollRefused } from "./setup.js";
import type { RollSetup, SetupOptions } from "./setup.js";

export interface UpgradeSetup {
  roll: RollSetup;
  change: ReleaseChange;
  /** Undefined when every node runs the inventory's release already. */
  plan?: UpgradePlan;
  database: DesiredPgDatabase;
}

export interface UpgradeSetupOptions extends Omit<SetupOptions, "tlsOnly" | "purge" | "expect"> {
  strategy: UpgradeStrategy;
  now: Date;
}

/** The room a dump needs, against the database's size: pg_dump's custom format compresses, but indexes and bloat vary. */
const DUMP_ROOM_FACTOR = 1;

export async function prepareUpgrade(
  pool: SshPool,
  inv: Harbor2VmInventory,
  state: ClusterState,
  desired: DesiredState,
  bundle: BundleInfo,
  redactor: Redactor,
  opts: UpgradeSetupOptions,
): Promise<UpgradeSetup> {
  const roll = await prepareRoll(pool, inv, state, desired, bundle, redactor, { ...opts, tlsOnly: false, purge: false, expect: ["release-change"] });
  const to = inv.data.cluster.harbor_version;
  const change = planReleaseChange(
    inv.data.harbor_nodes.map((n) => ({ node: n.name, release: roll.facts.get(n.name)?.stamps[HARBOR2_RELEASE_STAMP_PATH]?.trim() || undefined })),
    to,
  );
  const database = desired.database as DesiredPgDatabase;
  if (change.kind === "refused")
    throw new RollRefused(`refusing to upgrade: ${change.message}; nothing was changed`, { hint: change.hint, exitCode: 2 });
  if (change.kind === "none") return { roll, change, database };

  const other = roll.rollPlan.stages.filter((s) => s.kind !== "roll" && s.kind !== "storage-check");
  if (other.length > 0)
    throw new RollRefused(
      `refusing to upgrade: the cluster differs from the inventory beyond the release (${other.map((s) => s.kind).join(", ")}); nothing was changed`,
      {
        hint: "An upgrade changes the release only: run `harbor-ha reconfigure` with the old cluster.harbor_version and installer.bundle first, then upgrade.",
      },
    );
  const serving = inv.data.harbor_nodes.filter((n) => roll.membership.serving.includes(n.address)).map((n) => n.name);
  // A node a stopped run left drained is rolled first and gated like the others (plan/roll/safety.ts).
  const drained = inv.data.harbor_nodes.filter((n) => roll.drained.includes(n.address)).map((n) => n.name);
  const unhealthy = serving.filter((n) => !roll.healthy.includes(n) && !change.done.includes(n) && !drained.includes(n));
  if (unhealthy.length > 0)
    throw new RollRefused(`refusing to upgrade: ${unhealthy.join(", ")} not healthy from every load balancer now; nothing was changed`, {
      hint: "An upgrade starts from a healthy cluster: run `harbor-ha status`, bring the node back (harbor-ha provision with the old release), then upgrade.",
    });

  const backupDir = inv.data.upgrade?.backup_dir;
  if (backupDir === undefined)
    throw new HarborHaError("the inventory has no upgrade.backup_dir: an upgrade backs the database up first and keeps the dump there", {
      hint: "Add `upgrade:\n  backup_dir: /var/backups/harbor` (a folder on this machine, with room for a dump of the registry database).",
      exitCode: 2,
    });
  const [archive, db, journal] = await Promise.all([
    findMigrationsArchive(bundle.localPath, to),
    readDatabaseForUpgrade(database),
    readUpgradeJournal(clusterStateDir(inv)),
  ]);
  const resumed = journal && journal.from === change.from && journal.to === to ? journal.backup : undefined;
  const [names] = await Promise.all([readMigrationNames(archive), checkBackupDir(backupDir, db.bytes)]);
  if (db.schema.state !== "migrated")
    throw new RollRefused(
      `refusing to upgrade: the database ${database.database} has no schema_migrations row (${db.schema.state}): Harbor never ran on it`,
      {
        hint: "Check database.host and core_database: an upgrade starts from a running cluster's database.",
      },
    );

  const nodes: NodeSteps[] = roll.rollPlan.stages.flatMap((s) => (s.kind === "roll" ? s.batches.flat() : []));
  // A node upgraded already but left drained (a run killed in its health gate) rolls again: gated, back in service.
  const ordered = inv.data.harbor_nodes.flatMap((n) =>
    nodes.filter((x) => x.node.name === n.name && (!change.done.includes(n.name) || drained.includes(n.name))),
  );
  const generation = generationOf(inv);
  const file = `${harbor2Dir(inv)}/harbor.yml`;
  try {
    const plan = planUpgrade({
      change,
      strategy: opts.strategy,
      serial: opts.serial,
      nodes: ordered,
      allNodes: inv.data.harbor_nodes.map((n) => ({ name: n.name, address: n.address })),
      schema: { version: db.schema.version, dirty: db.schema.dirty },
      migrations: parseMigrationFiles(names),
      migrationsSource: archive,
      backup: planBackup(inv.data.cluster.name, change.from, opts.now, backupDir, clusterStateDir(inv)),
      ...(resumed ? { resumedBackup: resumed } : {}),
      nodeFiles: [file, ...generation.sharedSecretFiles.keys(), HARBOR2_RELEASE_STAMP_PATH, INSTALL_STAMP_PATH],
      checks: [
        `every Harbor node healthy from every load balancer (${roll.healthy.join(", ")})`,
        "no drift: the cluster differs from the inventory only by the release",
        `${bundle.localPath} is Harbor ${to} (harbor_version)`,
        `disk room: ${inv.data.installer.install_dir} on every node, ${backupDir} for a ${Math.ceil(db.bytes / 1048576)} MiB database`,
        `schema_migrations at ${db.schema.version}, not dirty`,
      ],
      config: {
        file,
        fromVersion: harbor2LineOfValidVersion(change.from).configVersion,
        toVersion: harbor2LineOfValidVersion(to).configVersion,
      },
      answering: roll.healthy,
      readOnly: (on, node) => readOnlyStep(inv, on, node, { from: change.from, to }),
    });
    return { roll, change, plan, database };
  } catch (e) {
    if (e instanceof UpgradePlanRefused) throw new RollRefused(`refusing to upgrade: ${e.message}; nothing was changed`, { hint: e.hint });
    throw e;
  }
}

async function checkBackupDir(dir: string, databaseBytes: number): Promise<void> {
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new HarborHaError(`upgrade.backup_dir ${dir} is not a folder this user can write to`, {
      hint: "Create it (mkdir -p, mode 0700) or point upgrade.backup_dir at another folder on this machine.",
      exitCode: 2,
    });
  }
  const free = await freeBytesAt(dir);
  if (free < databaseBytes * DUMP_ROOM_FACTOR)
    throw new HarborHaError(
      `upgrade.backup_dir ${dir} has ${Math.floor(free / 1048576)} MiB free; the database is ${Math.ceil(databaseBytes / 1048576)} MiB`,
      { hint: "Free room there or point upgrade.backup_dir at a folder with room for a dump of the database." },
    );
}

/**
 * The whole upgrade as one value, computed before anything changes: `upgrade --dry-run` prints
 * it and the run executes it as it is (like plan/roll/roll-plan.ts). In the order the run goes:
 *   preflight       what was checked (cluster healthy, no drift, the bundle's release, disk room)
 *   backup          the database with pg_dump (custom format), verified with pg_restore --list,
 *                   checksummed, kept in upgrade.backup_dir; each node's config and secrets to the
 *                   state folder
 *   migrate-config  harbor.yml through the new release's own `prepare migrate` on the first node
 *   read-only       Harbor's read-only mode on through its API (rolling: releases mix from here)
 *   stop-all        every node stopped (--strategy stop-all, Harbor's single-node guide)
 *   first-node      one node drained, the new release installed, its core migrates the schema
 *                   (exactly these migrations), health gate
 *   roll            the other nodes --serial at a time: drain → install → health gate → undrain
 *   read-only       off
 *   verify          every node healthy, the schema at the new release's last version, not dirty,
 *                   the release recorded on every node
 * and, beside the stages, the rollback the run takes when the first node fails its gate or
 * leaves the schema dirty. Pure.
 */
import type { Step } from "../../steps/types.js";
import type { NodeSteps, RollNode } from "../roll/roll-plan.js";
import type { DatabaseBackup } from "./backup.js";
import { lastMigrationVersion, pendingMigrations } from "./migrations.js";
import type { SchemaMigration } from "./migrations.js";
import type { ReleaseChange } from "./release-change.js";

export type UpgradeStrategy = "rolling" | "stop-all";
export const UPGRADE_STRATEGIES: readonly UpgradeStrategy[] = ["rolling", "stop-all"];

export type UpgradeStage =
  | { kind: "preflight"; checks: string[] }
  | { kind: "backup"; database: DatabaseBackup; nodes: Array<{ node: string; files: string[] }> }
  | { kind: "migrate-config"; node: string; file: string; fromVersion: string; toVersion: string; release: string }
  | { kind: "read-only"; on: boolean; step: Step }
  | { kind: "stop-all"; nodes: RollNode[] }
  | { kind: "first-node"; node: NodeSteps; migrations: SchemaMigration[]; schemaAfter: number }
  | { kind: "roll"; batches: NodeSteps[][] }
  | { kind: "verify"; release: string; schemaVersion: number; nodes: string[] };

export interface UpgradeRollback {
  /** The dump restored with pg_restore --clean. */
  restore: string;
  /** The node reinstalled with the old release. */
  node: string;
  release: string;
}

export interface UpgradePlan {
  from: string;
  to: string;
  step: "patch" | "minor";
  strategy: UpgradeStrategy;
  serial: number;
  /** schema_migrations now. */
  schema: { version: number; dirty: boolean };
  /** The migrations the first new core applies, from the new release's own files. */
  migrations: SchemaMigration[];
  migrationsSource: string;
  schemaAfter: number;
  backup: DatabaseBackup;
  /** The backup is an earlier run's of this upgrade (it is not taken again). */
  resumed?: boolean;
  stages: UpgradeStage[];
  rollback?: UpgradeRollback;
  /** Nodes already on the new release (an upgrade that stopped part-way). */
  done: string[];
}

export interface UpgradePlanInput {
  change: Extract<ReleaseChange, { kind: "upgrade" }>;
  strategy: UpgradeStrategy;
  serial: number;
  /**
   * Every node still on the old release, in inventory order, with the steps that install the new
   * one; and any node on the new release that a stopped run left drained.
   */
  nodes: readonly NodeSteps[];
  /** Every Harbor node of the cluster. */
  allNodes: readonly RollNode[];
  schema: { version: number; dirty: boolean };
  migrations: readonly SchemaMigration[];
  migrationsSource: string;
  backup: DatabaseBackup;
  /**
   * The backup an earlier run of this same upgrade took (the state folder's journal): a run that
   * was stopped continues with it, so that a rollback restores the database as it was before
   * the upgrade began, not as the stopped run left it.
   */
  resumedBackup?: DatabaseBackup;
  /** Paths on a node kept in the state folder before it changes (harbor.yml, the secrets, the release stamp). */
  nodeFiles: readonly string[];
  /** What the preflight checked, in words. */
  checks: readonly string[];
  /** harbor.yml on a node, and the configuration formats of the old and new line. */
  config: { file: string; fromVersion: string; toVersion: string };
  /**
   * Nodes whose Harbor answers now (healthy from every load balancer); undefined: every node. A
   * run killed while the first node installed leaves that node down: read-only goes through one
   * that answers.
   */
  answering?: readonly string[];
  /** The step that turns Harbor's read-only mode on or off, through the API of the given node. */
  readOnly: (on: boolean, node: string) => Step;
}

/** Why the upgrade cannot be planned: the schema is not where the old release leaves it. */
export class UpgradePlanRefused extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function planUpgrade(input: UpgradePlanInput): UpgradePlan {
  const { change, schema, strategy } = input;
  const last = lastMigrationVersion(input.migrations);
  if (last === 0)
    throw new UpgradePlanRefused(
      `${input.migrationsSource} holds no schema migration (*.up.sql)`,
      `Give Harbor ${change.to}'s make/migrations/postgresql as harbor-db-migrations-v${change.to}.tgz beside installer.bundle.`,
    );
  if (schema.dirty)
    throw new UpgradePlanRefused(
      `the database schema is dirty at version ${schema.version} (schema_migrations.dirty): a migration failed part-way`,
      "Restore the backup taken before the migration (pg_restore --clean, the dump named in the upgrade's report), then run again.",
    );
  if (schema.version > last)
    throw new UpgradePlanRefused(
      `the database schema is at version ${schema.version}, newer than Harbor ${change.to}'s last migration ${last}`,
      "The database belongs to a newer Harbor than the inventory's release: check database.host and core_database.",
    );
  const pending = pendingMigrations(input.migrations, schema.version);
  const migrated = pending.length === 0 && change.done.length > 0;
  // Nodes on the new release already are in `nodes` only when a stopped run left them drained:
  // rolled first (gate, then back in service), never upgraded again.
  const leftDrained = input.nodes.filter((n) => change.done.includes(n.node.name));
  const toUpgrade = input.nodes.filter((n) => !change.done.includes(n.node.name));
  const [first, ...rest] = toUpgrade;
  const serial = Math.max(1, input.serial);
  // Through the node that turned it on in the run this one continues (the first node, upgraded by now), so its stamp is emptied.
  const apiNode = change.done[0] ?? first?.node.name ?? input.allNodes[0]?.name ?? "";
  // That node down (a run killed during its install): turned on through one that answers, and off
  // through both, which empties the stamp the stopped run left on it.
  const answers = (n: string) => input.answering === undefined || input.answering.includes(n);
  const onNode = answers(apiNode) ? apiNode : (input.allNodes.map((n) => n.name).find(answers) ?? apiNode);
  const offNodes = onNode === apiNode ? [apiNode] : [onNode, apiNode];
  const backup = input.resumedBackup ?? input.backup;
  const stages: UpgradeStage[] = [{ kind: "preflight", checks: [...input.checks] }];
  if (!migrated && !input.resumedBackup) {
    stages.push({
      kind: "backup",
      database: backup,
      nodes: input.allNodes.map((n) => ({ node: n.name, files: [...input.nodeFiles] })),
    });
  }
  if (first)
    stages.push({
      kind: "migrate-config",
      node: first.node.name,
      file: input.config.file,
      fromVersion: input.config.fromVersion,
      toVersion: input.config.toVersion,
      release: change.to,
    });
  if (strategy === "rolling") stages.push({ kind: "read-only", on: true, step: input.readOnly(true, onNode) });
  if (strategy === "stop-all" && input.nodes.length > 0) stages.push({ kind: "stop-all", nodes: input.nodes.map((n) => n.node) });
  // A first node that migrated already (a re-run after it passed): the others roll at once.
  const toRoll = [...leftDrained, ...(migrated ? toUpgrade : rest)];
  if (first && !migrated) stages.push({ kind: "first-node", node: first, migrations: pending, schemaAfter: last });
  if (toRoll.length > 0) stages.push({ kind: "roll", batches: chunk(toRoll, strategy === "stop-all" ? toRoll.length : serial) });
  if (strategy === "rolling") for (const n of offNodes) stages.push({ kind: "read-only", on: false, step: input.readOnly(false, n) });
  stages.push({ kind: "verify", release: change.to, schemaVersion: last, nodes: input.allNodes.map((n) => n.name) });
  return {
    from: change.from,
    to: change.to,
    step: change.step,
    strategy,
    serial,
    schema,
    migrations: pending,
    migrationsSource: input.migrationsSource,
    schemaAfter: last,
    backup,
    ...(input.resumedBackup ? { resumed: true } : {}),
    stages,
    ...(first && !migrated ? { rollback: { restore: backup.file, node: first.node.name, release: change.from } } : {}),
    done: [...change.done],
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

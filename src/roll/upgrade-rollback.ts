/**
 * The old release back on the first node after a failed upgrade: its bundle (still in
 * installer.install_dir beside the new one) extracted again, harbor.yml and the pinned secrets
 * put back from the copies the backup stage kept, install.sh, the release stamp; then the same
 * health gate and undrain as any rolled node. The database is restored before this runs.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Harbor2VmInventory } from "../inventory/model.js";
import type { UpgradePlan } from "../plan/upgrade/upgrade-plan.js";
import { cmd } from "../shell/command.js";
import type { Step } from "../steps/types.js";
import { HARBOR2_RELEASE_STAMP_PATH } from "../harbor/v2/data/layout.js";
import { COMPOSE_FUNCTION, harbor2InstallCommand } from "../harbor/v2/commands.js";
import { harbor2Dir, HARBOR2_PINNED_SECRETS_PATH } from "../harbor/v2/node-files.js";
import { runStages } from "./stages.js";
import type { StageContext } from "./stages.js";
import { HarborHaError } from "../errors.js";
import type { DesiredPgDatabase } from "../desired/types.js";
import type { DatabaseBackup } from "../plan/upgrade/backup.js";
import type { UpgradeStrategy } from "../plan/upgrade/upgrade-plan.js";
import type { RollNode } from "../plan/roll/roll-plan.js";
import { readOnlyStep } from "../harbor/v2/read-only.js";
import { restoreDump } from "../db/pg/backup.js";
import { executeStep } from "../execute/execute-step.js";
import { clusterStateDir } from "../secrets/cluster-state.js";
import { clearUpgradeJournal } from "../secrets/upgrade-journal.js";
import { applyStopHarbor } from "./stop-removed.js";
import { INSTALL_STAMP_PATH } from "../plan/harbor-node.js";
import { clearPendingCommand } from "../steps/pending.js";

export async function restoreOldRelease(
  ctx: StageContext,
  inv: Harbor2VmInventory,
  node: string,
  plan: Pick<UpgradePlan, "from" | "backup">,
): Promise<void> {
  const dir = harbor2Dir(inv);
  // harbor.yml and the pinned secrets as install.sh read them; the install stamp, which says that
  // install is done: the copies the backup kept (this run's, or the stopped run's it continues).
  const copyOf = (path: string) => join(plan.backup.nodeFilesDir, node, path.replace(/\//g, "_"));
  const wanted = [`${dir}/harbor.yml`, HARBOR2_PINNED_SECRETS_PATH, INSTALL_STAMP_PATH];
  const files = (
    await Promise.all(
      wanted.map(async (path) => {
        try {
          return [{ path, content: await readFile(copyOf(path), "utf8") }];
        } catch {
          return [];
        }
      }),
    )
  ).flat();
  const configFiles = files.filter((f) => f.path !== INSTALL_STAMP_PATH);
  const stampFiles = files.filter((f) => f.path === INSTALL_STAMP_PATH);
  const base: Pick<Step, "host" | "phase" | "kind"> = { host: node, phase: "harbor", kind: "install" };
  const steps: Step[] = [
    {
      ...base,
      title: `extract Harbor ${plan.from}'s installer bundle again in ${inv.data.installer.install_dir}`,
      reason: "rollback",
      action: {
        type: "run",
        command: cmd(
          "sh",
          "-c",
          'set -eu; b=$(ls -1 "$1"/harbor-offline-installer-v"$2".tgz "$1"/harbor-offline-installer-v"$2"-*.tgz 2>/dev/null | head -n1); ' +
            '[ -n "$b" ] || { echo "no installer bundle of Harbor $2 in $1" >&2; exit 1; }; tar xzf "$b" -C "$1"',
          "sh",
          inv.data.installer.install_dir,
          plan.from,
        ),
        timeoutMs: 300_000,
      },
    },
    ...configFiles.map((f): Step => ({
      ...base,
      title: `put back ${f.path} as it was before the upgrade`,
      reason: "rollback",
      action: {
        type: "upload",
        file: {
          path: f.path,
          content: f.content,
          mode: 0o600,
          owner: "root",
          group: "root",
          sensitive: true,
          onChange: [],
          description: "kept by the upgrade's backup",
        },
      },
    })),
    {
      ...base,
      title: `run install.sh of Harbor ${plan.from}`,
      reason: "rollback",
      action: { type: "run", command: harbor2InstallCommand(dir, inv.data.harbor.with_trivy, HARBOR2_PINNED_SECRETS_PATH), timeoutMs: 900_000 },
    },
    {
      ...base,
      title: "clear the pending install the failed upgrade left (the old release's install.sh completed)",
      reason: "rollback",
      action: { type: "run", command: clearPendingCommand(["reinstall-harbor"]) },
    },
    ...stampFiles.map((f): Step => ({
      ...base,
      title: `put back ${f.path}: the old release's install is the one done`,
      reason: "rollback",
      action: {
        type: "upload",
        file: {
          path: f.path,
          content: f.content,
          mode: 0o644,
          owner: "root",
          group: "root",
          sensitive: false,
          onChange: [],
          description: "kept by the upgrade's backup",
        },
      },
    })),
    {
      ...base,
      title: `record the installed release (Harbor ${plan.from}) in ${HARBOR2_RELEASE_STAMP_PATH}`,
      reason: "rollback",
      action: {
        type: "upload",
        file: {
          path: HARBOR2_RELEASE_STAMP_PATH,
          content: `${plan.from}\n`,
          mode: 0o644,
          owner: "root",
          group: "root",
          sensitive: false,
          onChange: [],
          description: "the Harbor release install.sh last installed",
        },
      },
    },
  ];
  const address = inv.data.harbor_nodes.find((n) => n.name === node)?.address ?? node;
  ctx.result.roll.stopped = false;
  await runStages(ctx, [{ kind: "roll", batches: [[{ node: { name: node, address }, steps }]] }]);
  if (ctx.result.roll.stopped)
    throw new HarborHaError(
      `rollback: ${node} did not come back healthy on Harbor ${plan.from} (the database was restored from ${plan.backup.file})`,
      {
        hint: `Look at ${node} by hand (docker compose ps in ${dir}, /var/log/harbor/); the other nodes still serve ${plan.from}.`,
      },
    );
}

/** Harbor started again as it was installed (stop-all's other nodes, still on the old release, after a rollback). */
export function startHarbor2Step(inv: Harbor2VmInventory, node: string, release: string): Step {
  return {
    host: node,
    phase: "harbor",
    kind: "service",
    title: `start Harbor ${release} again (docker compose up -d in ${harbor2Dir(inv)})`,
    reason: "rollback: the upgrade stopped it",
    action: {
      type: "run",
      command: cmd("sh", "-c", `${COMPOSE_FUNCTION}\ncd "$1" && compose -f docker-compose.yml up -d`, "sh", harbor2Dir(inv)),
      timeoutMs: 300_000,
    },
  };
}

/** What a rollback puts back: the database from the backup, the old release on the first node. */
export interface RollbackTarget {
  node: string;
  from: string;
  to: string;
  backup: DatabaseBackup;
  strategy: UpgradeStrategy;
  /** stop-all: the other nodes the upgrade stopped, started again on the old release. */
  stopped: readonly RollNode[];
}

/**
 * Harbor stopped on the first node, the dump restored, the old release put back there (gated and
 * undrained), stop-all's other nodes started again, read-only off through that node (emptying
 * its stamp), the journal cleared.
 */
export async function rollBackUpgrade(ctx: StageContext, inv: Harbor2VmInventory, database: DesiredPgDatabase, t: RollbackTarget): Promise<void> {
  ctx.opts.emit({
    type: "phase",
    phase: "rollback",
    description: `restore ${t.backup.file}, ${t.node} back on ${t.from}${t.strategy === "rolling" ? ", read-only off" : ", the other nodes started"}`,
  });
  await ctx.pool.withSession(t.node, (s) => applyStopHarbor(s, inv, false));
  await restoreDump(database, t.backup.file);
  await restoreOldRelease(ctx, inv, t.node, { from: t.from, backup: t.backup });
  const others = t.stopped.filter((n) => n.name !== t.node);
  if (others.length > 0) {
    ctx.result.roll.stopped = false;
    await runStages(ctx, [{ kind: "roll", batches: [others.map((n) => ({ node: n, steps: [startHarbor2Step(inv, n.name, t.from)] }))] }]);
  }
  if (t.strategy === "rolling") {
    const off = readOnlyStep(inv, false, t.node, { from: t.from, to: t.to });
    await ctx.pool.withSession(t.node, (s) => executeStep(s, off));
  }
  await clearUpgradeJournal(clusterStateDir(inv));
}

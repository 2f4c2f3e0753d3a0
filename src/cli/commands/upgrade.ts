import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { UpgradeResult } from "../../roll/upgrade.js";
import { DEFAULT_GATE } from "../../roll/node-roll.js";
import { UPGRADE_STRATEGIES } from "../../plan/upgrade/upgrade-plan.js";
import type { UpgradeStrategy } from "../../plan/upgrade/upgrade-plan.js";
import { openCommandRun, positiveInt, interruptedByOperator } from "../command-run.js";
import { createProgressRenderer } from "../report/progress.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import { EXIT_CHANGES_PENDING } from "./provision.js";

interface UpgradeFlags {
  serial: string;
  strategy: string;
  dryRun: boolean;
  forceUnlock: boolean;
  parallel: string;
  acceptNewHostKeys: boolean;
  json?: string | boolean;
  verbose: boolean;
  healthTimeoutS: string;
}

export function registerUpgrade(program: Command): void {
  program
    .command("upgrade")
    .summary("move a running Harbor 2.x cluster to the inventory's release: backup, read-only, one node first, rollback on failure")
    .description(
      [
        "Upgrade a running Harbor 2.x cluster on VMs to cluster.harbor_version (with installer.bundle of that release and " +
          "harbor-db-migrations-v<release>.tgz beside it), in this order:",
        [
          "  preflight   every node healthy, no drift, the bundle's release, disk room, the database's schema_migrations",
          "  backup      pg_dump --format=custom into upgrade.backup_dir, checked with pg_restore --list, SHA-256 beside it; " +
            "each node's harbor.yml and secrets into the state folder (0600)",
          "  harbor.yml  read by the new release's own `prepare migrate` on the first node",
          "  read-only   Harbor's read-only mode on through its API (pushes refused, pulls served)",
          "  first node  drained, the new release installed, its core migrates the schema (the migrations listed), health gate",
          "  the others  --serial at a time: drain → install → health gate → undrain",
          "  read-only   off; then verify: every node healthy, the schema at the release's last version, the release recorded",
        ].join("\n"),
        "When the first node fails its gate or leaves the schema dirty, the backup is restored (pg_restore --clean), that " +
          "node gets the old release back, read-only goes off, and the run exits 1. A run that was stopped continues when run " +
          "again. --strategy stop-all stops every node before the first new core starts (Harbor's single-node guide): the " +
          "registry is down until the first node passes its gate. A downgrade is refused; Harbor 1.x is refused with its procedure.",
        "Exit status:\n" +
          "  0    upgraded (with --dry-run: nothing to upgrade)\n" +
          "  1    a step failed (rolled back when it was the first node), or the upgrade was refused\n" +
          "  2    bad inventory or usage, a downgrade, Harbor 1.x\n" +
          `  ${EXIT_CHANGES_PENDING}    --dry-run: there is an upgrade to make\n` +
          "  130  interrupted",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML) naming the new release")
    .option("-s, --serial <n>", "Harbor nodes out of service at once after the first", "1")
    .option("--strategy <name>", `rolling (default) or stop-all`, "rolling")
    .option(
      "--health-timeout-s <n>",
      "how long a node may take to start after install.sh (a first start migrates the schema)",
      String(DEFAULT_GATE.timeoutMs / 1000),
    )
    .option("-n, --dry-run", "print the plan, the migrations that will run and each node's steps; change nothing", false)
    .option("--force-unlock", "break a cluster lock left by a dead run", false)
    .option("-p, --parallel <n>", "hosts read at once", "10")
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts (trust on first use)", false)
    .option("--json [file]", "write a machine-readable report to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha upgrade inventory.yaml --dry-run     # plan and migrations\n" +
        "  $ harbor-ha upgrade inventory.yaml --serial 2\n" +
        "  $ harbor-ha upgrade inventory.yaml --strategy stop-all",
    )
    .action((file: string, flags: UpgradeFlags) =>
      withJsonReport(flags.json, { command: "upgrade", inventory: file }, (parts) => runUpgrade(file, flags, parts)),
    );
}

async function runUpgrade(file: string, flags: UpgradeFlags, parts: ReportParts): Promise<void> {
  const serial = positiveInt("--serial", flags.serial);
  const parallel = positiveInt("--parallel", flags.parallel);
  if (!(UPGRADE_STRATEGIES as readonly string[]).includes(flags.strategy))
    throw new UsageError(`--strategy ${flags.strategy} is not a strategy`, `Give ${UPGRADE_STRATEGIES.join(" or ")}.`);
  const gate = { ...DEFAULT_GATE, timeoutMs: positiveInt("--health-timeout-s", flags.healthTimeoutS) * 1000 };
  const [{ upgrade, UpgradeFailed }, { formatUpgradeDone, formatUpgradePlan, upgradeJson }, run] = await Promise.all([
    import("../../roll/upgrade.js"),
    import("../../roll/upgrade-report.js"),
    openCommandRun(file, flags),
  ]);
  const { inventory, redactor } = run;
  parts.redactor = redactor;
  parts.dryRun = flags.dryRun;
  const jsonToStdout = flags.json === true;
  const progress = await createProgressRenderer(redactor, { tty: process.stderr.isTTY === true, quiet: false, verbose: flags.verbose });
  const out = (text: string) => {
    if (!jsonToStdout) process.stdout.write(redactor.redact(text));
  };
  let result: UpgradeResult | undefined;
  try {
    result = await upgrade(inventory, {
      dryRun: flags.dryRun,
      serial,
      strategy: flags.strategy as UpgradeStrategy,
      forceUnlock: flags.forceUnlock,
      parallel,
      acceptNewHostKeys: flags.acceptNewHostKeys,
      gate,
      emit: (e) => progress.emit(e),
      isInterrupted: interruptedByOperator,
    });
    progress.stop();
    out(flags.dryRun ? formatUpgradePlan(result) : formatUpgradeDone(result));
    if (flags.dryRun && (result.setup?.plan || result.rollbackOfStopped)) process.exitCode = EXIT_CHANGES_PENDING;
  } catch (err) {
    progress.stop();
    if (err instanceof UpgradeFailed) result = err.partial;
    throw err;
  } finally {
    // The plan and the outcome (no secret is in either); the error, when there is one, is the report's own.
    parts.changed = result?.setup?.plan !== undefined || result?.rollbackOfStopped !== undefined;
    parts.details = upgradeJson(result) as Record<string, unknown>;
  }
}

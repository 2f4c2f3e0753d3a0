import type { Command } from "commander";
import { Option } from "commander";
import type { ProvisionResult } from "../../provision/provision.js";
import { limitOf, openCommandRun, positiveInt, interruptedByOperator } from "../command-run.js";
import { UsageError } from "../../errors.js";
import { confirmReinitialize, REINITIALIZE_FLAG } from "../reinitialize-flag.js";
import { createProgressRenderer } from "../report/progress.js";
import { formatPlan } from "../report/plan-text.js";
import { formatSummary } from "../report/summary.js";
import { provisionParts } from "../report/json-report.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import { StepTimes } from "../report/step-times.js";
import { DEFAULT_STARTUP_TIMEOUT_MS } from "../../plan/startup.js";

/** Exit status of a dry run that found changes to make (0 means nothing would change). */
export const EXIT_CHANGES_PENDING = 3;

interface ProvisionFlags {
  dryRun: boolean;
  parallel: string;
  acceptNewHostKeys: boolean;
  reinitializeDatabaseDestroyingAllData?: string | boolean;
  json?: string | boolean;
  verbose: boolean;
  forceUnlock: boolean;
  healthTimeoutS: string;
  serial: string;
  limit?: string;
}

export function registerProvision(program: Command): void {
  program
    .command("provision")
    .summary("install or converge the whole HA cluster over SSH (safe to re-run)")
    .description(
      [
        "Install the cluster, or bring it back to what the inventory says — safe to re-run on a live cluster. It " +
          "connects once to every host, gathers facts in one round trip per host, and plans only the steps still " +
          "needed, each with its reason and a diff (secrets masked). Phases, hosts in parallel within each:",
        [
          "  preflight      read-only: SSH and sudo, interfaces, nodes reach the database and Redis, disk, the VIP",
          "  database       Harbor 1.x: load registry.sql only when the registry schema is absent (never drops " +
            "data); Harbor 2.x: create the empty database with database.create",
          "  loadbalancers  keepalived.conf (checked with keepalived -t first), check.sh, sysctl, HAProxy in " +
            "haproxy mode; reload or restart only when needed; then exactly one VIP holder",
          "  storage        NFS mounts in /etc/fstab, /data/registry owned by 10000:10000",
          "  harbor         certificates, shared secrets and token keys, harbor.cfg or harbor.yml, the installer " +
            "(uploaded once), install.sh when its inputs changed (then waits until Harbor answers), VIP rules",
          "  verify         every node healthy from every load balancer",
        ].join("\n"),
        "On a fresh cluster (nobody holds the VIP yet) the nodes' phases do not wait for the load balancers' VRRP " +
          "election; on a running one the load balancers go first. A failing step stops later phases; other hosts " +
          "finish the phase they are in. On a running cluster, a change that would restart Harbor on more serving " +
          "nodes than --serial (default 1) is refused before anything changes: roll it with harbor-ha reconfigure " +
          "instead.",
        "With --limit, every host is still read (the preflight judges the whole cluster) and only the named hosts " +
          "are changed; the others' changes are listed and left as they are. The load balancers change together: a " +
          "load balancer outside the limit with changes of its own refuses the run. The database, one for the " +
          "cluster, is created or loaded only when a Harbor node is inside the limit; the shared-storage check may " +
          "write its marker from a node outside it (a check file, nothing else); the final verify checks the nodes " +
          "inside it.",
        "Exit status:\n" +
          "  0    done (with --dry-run: nothing would change)\n" +
          "  1    a step failed, or the run was refused\n" +
          "  2    bad inventory or usage\n" +
          `  ${EXIT_CHANGES_PENDING}    --dry-run found changes to make\n` +
          "  130  interrupted (Ctrl-C: the steps under way finish)",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .option("-n, --dry-run", "print the plan (every change with its reason and diff) and change nothing", false)
    .option("-p, --parallel <n>", "hosts worked on at once (an SSH connection each; the work runs on the hosts)", "50")
    .option(
      "--accept-new-host-keys",
      "trust host keys not yet in known_hosts and add them (trust on first use); a changed key is still refused",
      false,
    )
    .addOption(
      new Option(
        `${REINITIALIZE_FLAG} [cluster-name]`,
        "DROP the existing registry database and load registry.sql again; " +
          "the value must be cluster.name (shows the row counts that would be lost first; not offered by reconfigure)",
      ),
    )
    .option(
      "--health-timeout-s <n>",
      "how long Harbor may take to start on a node after install.sh (/api/systeminfo 200, /v2/ 401 Bearer) before the step fails",
      String(DEFAULT_STARTUP_TIMEOUT_MS / 1000),
    )
    .option(
      "--serial <n>",
      "on a running cluster, how many serving nodes one run may restart (install.sh) at once; " +
        "a change that would restart more is refused, for reconfigure to roll",
      "1",
    )
    .option(
      "--limit <hosts>",
      "change only these hosts: comma-separated names or globs (harbor*, lb[12]); checked against the inventory " +
        "before any connection (see above for what stays cluster-wide)",
    )
    .option("--force-unlock", "break the cluster lock left on the load balancers by a run that is dead (says whose lock it broke)", false)
    .option("--json [file]", "write a machine-readable report to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha provision inventory.yaml --dry-run     # what would change\n" +
        "  $ harbor-ha provision inventory.yaml               # apply it\n" +
        "  $ harbor-ha provision inventory.yaml --json report.json -p 20\n" +
        "  $ harbor-ha provision inventory.yaml --limit 'lb*,harbor3'  # node + LBs",
    )
    .action((file: string, flags: ProvisionFlags) =>
      withJsonReport(flags.json, { command: "provision", inventory: file }, (parts) => runProvision(file, flags, parts)),
    );
}

async function runProvision(file: string, flags: ProvisionFlags, parts: ReportParts): Promise<void> {
  const parallel = positiveInt("--parallel", flags.parallel);
  const startupTimeoutMs = positiveInt("--health-timeout-s", flags.healthTimeoutS) * 1000;
  const serial = positiveInt("--serial", flags.serial);
  parts.dryRun = flags.dryRun;
  // Loaded when the command runs: --help, validate and render never load SSH or MySQL.
  const [{ provision, ProvisionFailed }, run] = await Promise.all([import("../../provision/provision.js"), openCommandRun(file, flags)]);
  const { inventory, redactor } = run;
  parts.redactor = redactor;
  // Refused before anything is read from or changed on any host.
  const limit = limitOf(flags.limit, inventory);
  const reinitializeDatabase = confirmReinitialize(flags.reinitializeDatabaseDestroyingAllData, inventory.data.cluster.name);
  if (limit && reinitializeDatabase)
    throw new UsageError(
      `${REINITIALIZE_FLAG} and --limit together: the database is the whole cluster's; nothing was done`,
      "Re-initialise it without --limit.",
    );
  const jsonToStdout = flags.json === true;
  const progress = await createProgressRenderer(redactor, { tty: process.stderr.isTTY === true, quiet: false, verbose: flags.verbose });
  const out = (text: string) => {
    if (!jsonToStdout) process.stdout.write(redactor.redact(text));
  };
  const stepTimes = new StepTimes();
  const fill = (result: Partial<ProvisionResult> | undefined, outcomes: ProvisionResult["outcomes"]) => {
    Object.assign(parts, provisionParts({ dryRun: flags.dryRun, outcomes, stepTimes, ...(result ? { result } : {}), ...(limit ? { limit } : {}) }));
    if (result?.redactor) parts.redactor = result.redactor;
  };
  try {
    const r = await provision(inventory, {
      dryRun: flags.dryRun,
      parallel,
      acceptNewHostKeys: flags.acceptNewHostKeys,
      reinitializeDatabase,
      emit: (e) => {
        stepTimes.record(e);
        progress.emit(e);
      },
      isInterrupted: interruptedByOperator,
      forceUnlock: flags.forceUnlock,
      startupTimeoutMs,
      serial,
      ...(limit ? { limit } : {}),
    });
    progress.stop();
    if (r.database.plan.action === "reinitialize") process.stderr.write(`\n!!! ${r.database.plan.reason}\n`);
    if (flags.dryRun) out(formatPlan(r.plan, r.database.plan));
    else
      out(
        "\n" +
          formatSummary(r.outcomes, r.databaseResult) +
          (r.vipHolder
            ? `VIP ${inventory.data.cluster.vip} is held by ${r.vipHolder}; check.sh passes for every node from every load balancer.\n`
            : ""),
      );
    if (flags.dryRun && r.changed) process.exitCode = EXIT_CHANGES_PENDING;
    fill(r, r.outcomes);
  } catch (err) {
    progress.stop();
    if (err instanceof ProvisionFailed) {
      fill(err.partial, err.partial.outcomes);
      if (err.partial.outcomes.some((o) => o.status !== "not started")) out("\n" + formatSummary(err.partial.outcomes, err.partial.databaseResult));
    }
    throw err;
  }
}

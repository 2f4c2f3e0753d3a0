import type { Command } from "commander";
import type { ReconfigureResult, RollCommand } from "../../roll/reconfigure.js";
import { formatRollDone, formatRollPlan, rollOutcomes } from "../../roll/report.js";
import { rollParts } from "../report/roll-json.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import { DEFAULT_GATE } from "../../roll/node-roll.js";
import { limitOf, openCommandRun, positiveInt, interruptedByOperator } from "../command-run.js";
import { createProgressRenderer } from "../report/progress.js";
import { formatSummary } from "../report/summary.js";
import { EXIT_CHANGES_PENDING } from "./provision.js";

export interface RollFlags {
  serial: string;
  limit?: string;
  dryRun: boolean;
  purge?: boolean;
  forceUnlock: boolean;
  parallel: string;
  acceptNewHostKeys: boolean;
  json?: string | boolean;
  verbose: boolean;
  healthTimeoutS: string;
}

export function registerReconfigure(program: Command): void {
  const command = program
    .command("reconfigure")
    .summary("roll a changed inventory onto a running cluster, never taking the registry down")
    .description(
      [
        "Apply the plan provision would make to a running cluster, without taking the registry down:",
        [
          "  scale in       nodes removed from the inventory are drained, taken off the load balancers, then " +
            "their Harbor is stopped (files kept unless --purge)",
          "  loadbalancers  one at a time, backups first and the VIP holder last; reload or restart as needed; " +
            "after each, exactly one VIP holder",
          "  scale out      added nodes are provisioned and must pass their health check before any load balancer " + "gets them",
          "  roll           changed Harbor nodes in batches of --serial: drain (the load balancers take the node " +
            "out), apply (install.sh when its inputs changed), health gate (healthy from every load balancer, the " +
            "certificate served), undrain",
        ].join("\n"),
        "Refused up front when a batch would take the last healthy node out. A node failing its health gate stops " +
          "the roll: it stays drained, untouched nodes stay in service, and running the same command again resumes. " +
          "Takes the cluster lock; writes an audit line per change.",
        ROLL_EXIT_STATUS,
      ].join("\n\n"),
    )
    .option("--purge", "scale in: also remove Harbor's files from removed nodes", false);
  addRollOptions(command, "reconfigure").addHelpText(
    "after",
    "\nExamples:\n" +
      "  $ harbor-ha reconfigure inventory.yaml --dry-run   # the plan and the batches\n" +
      "  $ harbor-ha reconfigure inventory.yaml             # roll one node at a time\n" +
      "  $ harbor-ha reconfigure inventory.yaml --serial 2 --limit harbor3,harbor4",
  );
}

/** reconfigure's and rotate-certs' exit codes, as their --help lists them. */
export const ROLL_EXIT_STATUS =
  "Exit status:\n" +
  "  0    done (with --dry-run: nothing would change)\n" +
  "  1    a step or health gate failed, or the roll was refused\n" +
  "  2    bad inventory or usage\n" +
  `  ${EXIT_CHANGES_PENDING}    --dry-run found changes to make\n` +
  "  130  interrupted (Ctrl-C: the nodes under way finish)";

/** The options reconfigure and rotate-certs share, and the action. */
export function addRollOptions(command: Command, name: RollCommand): Command {
  return command
    .argument("<inventory>", "the inventory file (YAML)")
    .option("-s, --serial <n>", "Harbor nodes out of service at once", "1")
    .option(
      "--limit <hosts>",
      "only these hosts: comma-separated names or globs (harbor*, lb[12])" +
        (name === "reconfigure" ? ", or a removed node's address" : "") +
        "; the others are left as they are. Checked against the inventory before any connection",
    )
    .option(
      "--health-timeout-s <n>",
      "how long a rolled node may take to start after install.sh (/api/systeminfo 200, " +
        "/v2/ 401 Bearer), and then to pass check.sh from every load balancer, before the roll stops",
      String(DEFAULT_GATE.timeoutMs / 1000),
    )
    .option("-n, --dry-run", "print the plan and the batches; change nothing", false)
    .option("--force-unlock", "break a cluster lock left by a dead run (the refusal names its holder)", false)
    .option("-p, --parallel <n>", "hosts worked on at once (reads, load-balancer steps)", "10")
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts (trust on first use)", false)
    .option("--json [file]", "write a machine-readable report to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .action((file: string, flags: RollFlags) => runRoll(name, file, flags));
}

function runRoll(name: RollCommand, file: string, flags: RollFlags): Promise<void> {
  return withJsonReport(flags.json, { command: name, inventory: file }, (parts) => roll(name, file, flags, parts));
}

async function roll(name: RollCommand, file: string, flags: RollFlags, parts: ReportParts): Promise<void> {
  const serial = positiveInt("--serial", flags.serial);
  const parallel = positiveInt("--parallel", flags.parallel);
  const gate = { ...DEFAULT_GATE, timeoutMs: positiveInt("--health-timeout-s", flags.healthTimeoutS) * 1000 };
  parts.dryRun = flags.dryRun;
  // Loaded when the command runs: --help, validate and render never load SSH or MySQL.
  const [{ reconfigure, ReconfigureFailed }, run] = await Promise.all([import("../../roll/reconfigure.js"), openCommandRun(file, flags)]);
  const { inventory, redactor } = run;
  parts.redactor = redactor;
  // Before any connection: a --limit that names no host of the inventory stops here (exit 2).
  const limit = limitOf(flags.limit, inventory, { allowAddresses: name === "reconfigure" });
  const jsonToStdout = flags.json === true;
  const progress = await createProgressRenderer(redactor, { tty: process.stderr.isTTY === true, quiet: false, verbose: flags.verbose });
  const out = (text: string) => {
    if (!jsonToStdout) process.stdout.write(redactor.redact(text));
  };
  const fill = (result: ReconfigureResult, failed: boolean) => {
    Object.assign(parts, rollParts(result, { command: name, inventory: inventory.path, dryRun: flags.dryRun, ...(limit ? { limit } : {}) }, failed));
    parts.redactor = result.redactor;
  };
  try {
    const result = await reconfigure(inventory, {
      command: name,
      dryRun: flags.dryRun,
      serial,
      ...(limit ? { limit } : {}),
      purge: flags.purge === true,
      forceUnlock: flags.forceUnlock,
      parallel,
      acceptNewHostKeys: flags.acceptNewHostKeys,
      gate,
      emit: (e) => progress.emit(e),
      isInterrupted: interruptedByOperator,
    });
    progress.stop();
    if (flags.dryRun) out(formatRollPlan(result, serial));
    else out("\n" + (result.changed ? formatSummary(rollOutcomes(result)) : "") + formatRollDone(result, inventory.data.cluster.vip));
    if (flags.dryRun && result.changed) process.exitCode = EXIT_CHANGES_PENDING;
    fill(result, false);
  } catch (err) {
    progress.stop();
    if (err instanceof ReconfigureFailed) {
      fill(err.partial, true);
      out("\n" + formatSummary(rollOutcomes(err.partial)));
    }
    throw err;
  }
}

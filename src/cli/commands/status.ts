import { describeAcceptedHostKey } from "../../remote/host-keys.js";
import type { Command } from "commander";
import { createProgressRenderer } from "../report/progress.js";
import { openCommandRun, positiveInt } from "../command-run.js";
import { formatStatus } from "../../status/format.js";
import { redactedJson, writeJson } from "../report/json.js";

/** Exit status when anything is unhealthy, drifting or inconsistent. */
export const EXIT_UNHEALTHY = 1;

interface StatusFlags {
  parallel: string;
  acceptNewHostKeys: boolean;
  json?: string | boolean;
  verbose: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .summary("the cluster at a glance: keepalived, VIP, health, drift, secrets, lock (read-only)")
    .description(
      "Reads every host once (read-only, no lock taken) and reports:\n" +
        "  load balancers  keepalived running (pid), VIP held, drain markers, check.sh for every node,\n" +
        "                  the IPVS table where `ipvsadm -Ln` works, files that differ from the render\n" +
        "  Harbor nodes    Harbor up (its local health URL answers), health from every load balancer,\n" +
        "                  drained or not, files that differ from the render (config drift), and the\n" +
        "                  files Harbor really uses (keys and certificates prepare put in place)\n" +
        "  cluster         exactly one VIP holder; the secretkey and token signing key identical on\n" +
        "                  every node (compared by checksum, never shown); the cluster lock, and whose;\n" +
        "                  the settings Harbor keeps in its database against the inventory; the\n" +
        "                  registry database's schema (complete, absent, or missing tables)\n" +
        "  on every host   changes an earlier run wrote but never applied (it stopped in between)\n" +
        "Then the problems found, each with what to do.\n\n" +
        "Exit status: 0 healthy, 1 anything unhealthy, drifting or inconsistent (or a host unreachable),\n" +
        "2 bad inventory or usage.",
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .option("-p, --parallel <n>", "hosts read at once", "10")
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts and add them (trust on first use)", false)
    .option("--json [file]", "write the report as JSON to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .addHelpText("after", "\nExamples:\n  $ harbor-ha status inventory.yaml\n  $ harbor-ha status inventory.yaml --json | jq .problems")
    .action(async (file: string, flags: StatusFlags) => {
      const parallel = positiveInt("--parallel", flags.parallel);
      const run = await openCommandRun(file);
      const { inventory, redactor } = run;
      // Loaded when the command runs: --help, validate and render never load SSH or MySQL.
      const { gatherStatus } = await import("../../status/gather.js");
      // status prints its report, not progress: only -v's command lines are shown as they happen.
      const progress = await createProgressRenderer(redactor, { tty: false, quiet: true, verbose: flags.verbose });
      const report = await gatherStatus(inventory, {
        parallel,
        acceptNewHostKeys: flags.acceptNewHostKeys,
        onHostKeyAccepted: (a) => process.stderr.write(`  ${describeAcceptedHostKey(a)}\n`),
        emit: progress.emit,
      });
      if (flags.json !== true) process.stdout.write(redactor.redact(formatStatus(report)));
      await writeJson(flags.json, redactedJson({ command: "status", inventory: inventory.path, ...report }, redactor), [inventory.path]);
      if (!report.healthy) process.exitCode = EXIT_UNHEALTHY;
    });
}

import type { Command } from "commander";
import { describeAcceptedHostKey } from "../../remote/host-keys.js";
import { createProgressRenderer } from "../report/progress.js";
import { openCommandRun, positiveInt } from "../command-run.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import { Secret } from "../../inventory/secret.js";
import { formatAdoptReport, adoptReportJson, EXIT_NODES_DISAGREE } from "../report/adopt.js";

interface AdoptFlags {
  dryRun: boolean;
  parallel: string;
  acceptNewHostKeys: boolean;
  json?: string | boolean;
  verbose: boolean;
  writeInventory?: string;
}

export function registerAdopt(program: Command): void {
  program
    .command("adopt")
    .summary("take a running cluster's own secrets into the state folder (read-only on every host)")
    .description(
      [
        "For a Harbor cluster harbor-ha did not build (by hand from Harbor's HA guide, or by other scripts): reads " +
          "every host once, read-only, and the registry database, and takes the secrets Harbor depends on as the " +
          "cluster's own, so that provision never replaces them. Harbor 1.x: the secretkey, the token signing key " +
          "and its certificate, the TLS pair (https). Harbor 2.x: the same, plus the core and job service secrets " +
          "and the CSRF key from the env files prepare wrote.",
        "Every node must hold the same copy of each. When they do not, nothing is written anywhere: a table shows " +
          "which node holds which copy (by a checksum keyed with a random key of this run: safe to show, matches " +
          "nothing outside it) and, where the database holds encrypted values (an LDAP search password), which " +
          "node's secretkey decrypts them — tried, never shown.",
        "Also read back and compared with the inventory: the running release, Harbor's configuration file, the " +
          "database's schema version, keepalived's and HAProxy's configuration. Fix the inventory where they " +
          "differ before the first provision.",
        "Nothing is ever written on a host. The state folder (.harbor-ha/<cluster.name>/ beside the inventory) " +
          "gets the secrets; one that already holds other secrets (another cluster's) is refused.",
        "Exit status:\n" +
          "  0  adopted (or already adopted; with --dry-run: would adopt)\n" +
          "  1  a host or the database could not be read\n" +
          "  2  bad inventory or usage; the nodes disagree; the state folder holds another cluster's secrets",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML): the hosts to read and how to reach them")
    .option("-n, --dry-run", "read and decide, write nothing (not even the state folder)", false)
    .option("-p, --parallel <n>", "hosts read at once", "10")
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts and add them (trust on first use)", false)
    .option("--json [file]", "write the report as JSON (no secret, no value) to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .option(
      "--write-inventory <file>",
      "also write a new inventory (in the inventory's folder) of what the cluster runs: VIP, router id, priorities, " +
        "Harbor's configuration, database and Redis endpoints, storage; comments say what was guessed",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ harbor-ha adopt inventory.yaml --dry-run\n  $ harbor-ha adopt inventory.yaml --write-inventory adopted.yaml",
    )
    .action((file: string, flags: AdoptFlags) =>
      withJsonReport(flags.json, { command: "adopt", inventory: file }, (parts) => runAdopt(file, flags, parts)),
    );
}

async function runAdopt(file: string, flags: AdoptFlags, parts: ReportParts): Promise<void> {
  const parallel = positiveInt("--parallel", flags.parallel);
  const { inventory, redactor } = await openCommandRun(file, flags);
  parts.redactor = redactor;
  parts.dryRun = flags.dryRun;
  const { adoptCluster } = await import("../../adopt/adopt.js");
  const progress = await createProgressRenderer(redactor, { tty: false, quiet: true, verbose: flags.verbose });
  const report = await adoptCluster(inventory, {
    dryRun: flags.dryRun,
    parallel,
    acceptNewHostKeys: flags.acceptNewHostKeys,
    onHostKeyAccepted: (a) => process.stderr.write(`  ${describeAcceptedHostKey(a)}\n`),
    emit: progress.emit,
    ...(flags.writeInventory === undefined ? {} : { writeInventory: flags.writeInventory }),
  });
  // The nodes' secrets guard every output from here, as the inventory's do.
  if (report.decision.agreement.agreed) redactor.add(...[...report.decision.agreement.secrets].map(([name, v]) => new Secret(v, `adopted ${name}`)));
  if (flags.json !== true) process.stdout.write(redactor.redact(formatAdoptReport(report)));
  parts.changed = report.kept !== undefined && report.kept.written.length > 0;
  parts.details = adoptReportJson(report);
  if (!report.decision.agreement.agreed) process.exitCode = EXIT_NODES_DISAGREE;
}

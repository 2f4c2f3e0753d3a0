import { describeAcceptedHostKey } from "../../remote/host-keys.js";
import type { Command } from "commander";
import { createProgressRenderer } from "../report/progress.js";
import { limitOf, openCommandRun, positiveInt } from "../command-run.js";
import { formatStatus } from "../../status/format.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import type { StatusReport } from "../../status/types.js";

/** Exit status when anything is unhealthy, drifting or inconsistent. */
export const EXIT_UNHEALTHY = 1;

interface StatusFlags {
  parallel: string;
  acceptNewHostKeys: boolean;
  json?: string | boolean;
  verbose: boolean;
  limit?: string;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .summary("the cluster at a glance: keepalived, VIP, health, drift, secrets, lock (read-only)")
    .description(
      [
        "Reads every host once (read-only, no lock taken) and reports:",
        [
          "  load balancers  keepalived running (pid), VIP held, drain markers, every node's health as this load " +
            "balancer sees it (with haproxy: HAProxy's view of each server), the IPVS table where `ipvsadm -Ln` " +
            "works, files that differ from the render",
          "  Harbor nodes    Harbor up (its local health URL answers), drained or not, files that differ from the " +
            "render (config drift), and the files Harbor really uses (keys and certificates prepare put in place)",
          "  cluster         exactly one VIP holder; the secretkey and token signing key identical on every node " +
            "(compared by checksum, never shown); the cluster lock, and whose; the settings Harbor keeps in its " +
            "database against the inventory; the registry database's schema",
          "  every host      changes an earlier run wrote but never applied (it stopped in between)",
        ].join("\n"),
        "Then the problems found, each with what to do. What could not be read is shown as unknown, never as healthy. " +
          "With --json, a fatal error is a report too: its error object says why.",
        "With --limit, only the named hosts are connected to and reported; what needs the others is not judged: the one " +
          "VIP holder and the lock (unknown on the load balancers outside it), the shared secrets beyond the nodes read, " +
          "the registry database and Harbor's settings when their node is outside it.",
        "Exit status:\n" +
          "  0  healthy\n" +
          "  1  anything unhealthy, drifting or inconsistent (or a host unreachable)\n" +
          "  2  bad inventory or usage",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .option("-p, --parallel <n>", "hosts read at once", "10")
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts and add them (trust on first use)", false)
    .option(
      "--limit <hosts>",
      "read only these hosts: comma-separated names or globs (harbor*, lb[12]); checked against the inventory before any connection",
    )
    .option("--json [file]", "write the report as JSON to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .addHelpText(
      "after",
      "\nExamples:\n  $ harbor-ha status inventory.yaml\n  $ harbor-ha status inventory.yaml --json | jq .problems\n  $ harbor-ha status inventory.yaml --limit 'harbor*'",
    )
    .action((file: string, flags: StatusFlags) =>
      // A fatal error is a report too: a script reading --json learns why there is no status.
      withJsonReport(flags.json, { command: "status", inventory: file }, (parts) => runStatus(file, flags, parts)),
    );
}

async function runStatus(file: string, flags: StatusFlags, parts: ReportParts): Promise<void> {
  const parallel = positiveInt("--parallel", flags.parallel);
  const run = await openCommandRun(file, flags);
  const { inventory, redactor } = run;
  parts.redactor = redactor;
  // Before any connection: a --limit that names no host of the inventory stops here (exit 2).
  const limit = limitOf(flags.limit, inventory);
  // Loaded when the command runs: --help, validate and render never load SSH or MySQL.
  const { gatherStatus } = await import("../../status/gather.js");
  // status prints its report, not progress: only -v's command lines are shown as they happen.
  const progress = await createProgressRenderer(redactor, { tty: false, quiet: true, verbose: flags.verbose });
  const report = await gatherStatus(inventory, {
    parallel,
    acceptNewHostKeys: flags.acceptNewHostKeys,
    onHostKeyAccepted: (a) => process.stderr.write(`  ${describeAcceptedHostKey(a)}\n`),
    emit: progress.emit,
    ...(limit ? { limit } : {}),
  });
  if (flags.json !== true) process.stdout.write(redactor.redact(formatStatus(report)));
  Object.assign(parts, statusParts(report, limit));
  if (!report.healthy) process.exitCode = EXIT_UNHEALTHY;
}

/** status as the report's parts: each host with its state, the problems as items, the whole report as details. */
export function statusParts(report: StatusReport, limit: string[] | undefined): Omit<ReportParts, "redactor"> {
  const state = (error: string | undefined, subject: string) =>
    error !== undefined ? "unreachable" : report.problems.some((p) => p.subject === subject) ? "unhealthy" : "healthy";
  return {
    ...(limit ? { limit } : {}),
    hosts: [
      ...report.loadBalancers.map((l) => ({
        name: l.name,
        address: l.address,
        role: "loadbalancer",
        status: state(l.error, l.name),
        ...(l.error ? { error: l.error } : {}),
      })),
      ...report.nodes.map((n) => ({
        name: n.name,
        address: n.address,
        role: "harbor-node",
        status: state(n.error, n.name),
        ...(n.error ? { error: n.error } : {}),
      })),
    ],
    steps: [],
    problems: report.problems.map((p) => ({ host: p.subject, message: p.message, hint: p.hint })),
    details: { healthy: report.healthy, loadBalancers: report.loadBalancers, nodes: report.nodes, cluster: report.cluster },
  };
}

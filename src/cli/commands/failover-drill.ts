import { describeAcceptedHostKey } from "../../remote/host-keys.js";
import type { Command } from "commander";
import { limitOf, openCommandRun, interruptedByOperator } from "../command-run.js";
import { UsageError } from "../../errors.js";
import { formatDrillReport } from "../../drill/preconditions.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";
import { createProgressRenderer } from "../report/progress.js";

interface DrillFlags {
  acceptNewHostKeys: boolean;
  forceUnlock: boolean;
  json?: string | boolean;
  verbose: boolean;
  limit?: string;
}

export function registerFailoverDrill(program: Command): void {
  program
    .command("failover-drill")
    .summary("stop keepalived on the VIP holder, time the takeover, restore (under the cluster lock)")
    .description(
      [
        "Rehearses a load balancer failure on the live cluster. Refuses unless every load balancer runs keepalived " +
          "and exactly one holds the VIP. Then, under the cluster lock: stops keepalived on the VIP holder, measures " +
          "the milliseconds until another load balancer holds the VIP and until the VIP answers (on TCP, or with " +
          "haproxy real HTTPS requests; from this machine when it reaches the VIP, else from the new holder), starts " +
          "keepalived again — always, even when the drill fails — and waits for exactly one holder. An audit line is " +
          "appended on every load balancer.",
        "With --limit, the drill may stop keepalived only on a load balancer it names: every load balancer is still " +
          "read, and a VIP holder outside the limit refuses the drill before the lock (which load balancer takes " +
          "over is VRRP's choice, among all of them). Harbor nodes in --limit are ignored; one naming no load " +
          "balancer is a usage error.",
        "Exit status:\n" +
          "  0  the VIP moved, answered and the cluster was restored\n" +
          "  1  otherwise, or refused\n" +
          "  2  bad inventory or usage",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .option("--force-unlock", "break the cluster lock left by a run that is dead", false)
    .option("--accept-new-host-keys", "trust host keys not yet in known_hosts and add them (trust on first use)", false)
    .option("--limit <hosts>", "stop keepalived only if the VIP holder is one of these load balancers: names or globs (lb*, lb[12])")
    .option("--json [file]", "write the report as JSON to file, or to stdout when no file is given")
    .option("-v, --verbose", "show every remote command (secrets masked)", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha failover-drill inventory.yaml\n" +
        "  $ harbor-ha failover-drill inventory.yaml --json drill.json  # for a record\n" +
        "  $ harbor-ha failover-drill inventory.yaml --limit lb1  # if lb1 holds the VIP",
    )
    .action((file: string, flags: DrillFlags) =>
      withJsonReport(flags.json, { command: "failover-drill", inventory: file }, (parts) => runDrill(file, flags, parts)),
    );
}

async function runDrill(file: string, flags: DrillFlags, parts: ReportParts): Promise<void> {
  const run = await openCommandRun(file, flags);
  const { inventory, redactor } = run;
  parts.redactor = redactor;
  const limit = drillLimit(flags.limit, inventory);
  if (limit) parts.limit = limit;
  // Loaded when the command runs: --help, validate and render never load SSH or MySQL.
  const { runFailoverDrill } = await import("../../drill/run-drill.js");
  const report = await runFailoverDrill(inventory, {
    acceptNewHostKeys: flags.acceptNewHostKeys,
    onHostKeyAccepted: (a) => process.stderr.write(`  ${describeAcceptedHostKey(a)}\n`),
    forceUnlock: flags.forceUnlock,
    ...(limit ? { limit } : {}),
    isInterrupted: interruptedByOperator,
    // Plain lines: the drill has no steps for a spinner to show.
    emit: (await createProgressRenderer(redactor, { tty: false, quiet: false, verbose: flags.verbose })).emit,
  });
  const ok = report.newHolder !== undefined && report.answerMs !== undefined && report.restored;
  if (flags.json !== true) process.stdout.write(redactor.redact(formatDrillReport(report)));
  parts.changed = true;
  parts.hosts = inventory.data.load_balancers.map((l) => ({
    name: l.name,
    address: l.address,
    role: "loadbalancer",
    status: l.name === report.stoppedOn ? "stopped and restarted" : l.name === report.newHolder ? "took the VIP" : "unchanged",
  }));
  parts.problems = report.problems.map((message) => ({ host: "cluster", message }));
  parts.details = { ...report };
  if (!ok) process.exitCode = 1;
}

/** --limit for the drill: its load balancers (checked against the inventory before any connection); none is a usage error. */
function drillLimit(raw: string | undefined, inventory: Parameters<typeof limitOf>[1]): string[] | undefined {
  const names = limitOf(raw, inventory);
  if (names === undefined) return undefined;
  const lbs = inventory.data.load_balancers.map((l) => l.name);
  const chosen = names.filter((n) => lbs.includes(n));
  if (chosen.length === 0)
    throw new UsageError(
      `--limit ${raw} names no load balancer: the drill stops keepalived on one; nothing was done`,
      `Load balancers: ${lbs.join(", ")}.`,
    );
  return chosen;
}

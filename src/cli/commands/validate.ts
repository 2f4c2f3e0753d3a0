import type { Command } from "commander";
import { HarborHaError } from "../../errors.js";
import { readAnyInventory } from "../../inventory/load.js";
import { checkClusterStateFiles, clusterStateDir } from "../../secrets/cluster-state.js";
import { formatProblems } from "../format-problems.js";
import { describeInventory } from "../describe-inventory.js";
import { withJsonReport } from "../report/run-report.js";
import type { ReportParts } from "../report/run-report.js";

/** A problem as --json shows it: where (the YAML path and line, or the file), how bad, what. */
interface ProblemJson {
  path: string;
  line?: number;
  severity: "error" | "warning";
  message: string;
}

function problemJson(p: ProblemJson): ProblemJson {
  return { path: p.path, ...(p.line === undefined ? {} : { line: p.line }), severity: p.severity, message: p.message };
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .summary("check an inventory without touching the network")
    .description(
      [
        "Check an inventory without touching the network: the schema, cross-checks (duplicate names or addresses, " +
          "the VIP against the load balancers' subnet, VRRP priorities and router id, keepalived's 8-character " +
          "auth_pass), TLS (key matches certificate, covers the hostname in its SANs, not expired), that every file " +
          "exists and every ${env:NAME} secret is set, and what the Harbor release can use (Redis without AUTH, " +
          "/data/registry, harbor.cfg keys).",
        "A Harbor 2.x inventory is checked too: PostgreSQL, Redis or Sentinel, storage, and either its kubernetes " +
          "section (helm-values; kubernetes.values is checked by helm-values --chart) or, without one, the VM " +
          "sections Harbor 2.x on VMs needs (VIP, load balancers, nodes). An existing state folder's token signing " +
          "key must be one Harbor reads (RSA PRIVATE KEY or EC PRIVATE KEY) and match its token_root.crt.",
        "Every problem is reported at once with its YAML path and line.",
        "Exit status:\n  0  valid (warnings are printed)\n  2  invalid, or bad usage",
      ].join("\n\n"),
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha validate inventory/example.yaml\n" +
        "  $ harbor-ha validate inventory.yaml && harbor-ha provision inventory.yaml -n",
    )
    .option("--json [file]", "write the result as JSON to file, or to stdout when no file is given: ok, the problems as items")
    .action((file: string, flags: { json?: string | boolean }) =>
      withJsonReport(flags.json, { command: "validate", inventory: file }, (parts) => runValidate(file, flags.json === true, parts)),
    );
}

async function runValidate(file: string, toStdout: boolean, parts: ReportParts): Promise<void> {
  const out = (text: string) => {
    if (!toStdout) process.stdout.write(text);
  };
  // An invalid inventory's problems are the error's items: the report lists them (run-report.ts).
  const { inventory, warnings } = await readAnyInventory(file);
  out(formatProblems(inventory.path, warnings));
  parts.problems = warnings.map(problemJson);
  const state = await checkClusterStateFiles(clusterStateDir(inventory));
  // Each message names its file.
  for (const p of state) process.stderr.write(`${p.severity.padEnd(8)} ${p.message}\n`);
  parts.problems.push(...state.map(problemJson));
  const errors = state.filter((p) => p.severity === "error").length;
  if (errors > 0) {
    throw new HarborHaError(`${clusterStateDir(inventory)}: ${errors} problem${errors === 1 ? "" : "s"} in the cluster state`, {
      hint: "Fix the files named above and run `harbor-ha validate` again; nothing was changed.",
      exitCode: 2,
    });
  }
  const summary = describeInventory(inventory);
  out(`${file}: valid — ${summary}\n`);
  parts.details = { summary };
}

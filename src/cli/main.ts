/**
 * The entry point: commander wiring and the one place that turns errors into
 * output and an exit code. Commands throw; only this file exits.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { projectRoot } from "../paths.js";
import { HarborHaError } from "../errors.js";
import { registerCommands } from "./commands/index.js";
import { printError } from "./print-error.js";

export async function main(argv: string[]): Promise<number> {
  const program = new Command("harbor-ha")
    .description(
      "Install and operate Harbor in an active-active, highly available layout over SSH:\n" +
        "a VIP on keepalived load balancers (VRRP + LVS-DR) in front of n stateless Harbor nodes\n" +
        "sharing MariaDB, Redis and storage — all described by one inventory file.",
    )
    .version(readVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .exitOverride();

  registerCommands(program);
  program.addHelpText(
    "after",
    `
A first session:
  $ harbor-ha validate inventory.yaml             # no network: every problem, with its line
  $ harbor-ha render inventory.yaml --out out/    # no network: every file for every host
  $ harbor-ha provision inventory.yaml --dry-run  # what would change, as diffs; changes nothing
  $ harbor-ha provision inventory.yaml            # do it

Rehearse on the built-in lab (root, Debian): harbor-ha lab up, then use .lab/inventory.yaml.
Exit codes: 0 ok, 1 a step failed, 2 bad inventory or usage, 130 interrupted.`,
  );

  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    printError(err);
    return err instanceof HarborHaError ? err.exitCode : 1;
  }
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

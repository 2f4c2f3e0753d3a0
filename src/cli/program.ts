/**
 * The commander program: every command with its options and help, nothing run. main.ts parses
 * with it; tests read it (the README's commands are checked against it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { projectRoot } from "../paths.js";
import { registerCommands } from "./commands/index.js";
import { helpLayout } from "./help-layout.js";

export function buildProgram(): Command {
  const program = new Command("harbor-ha")
    .description(
      "Install and operate Harbor in an active-active, highly available layout over SSH: a VIP on keepalived " +
        "load balancers (LVS-DR or HAProxy) in front of n stateless Harbor nodes sharing a database, Redis and " +
        "storage — all described by one inventory file.\n\n" +
        "Exit status (each command's --help lists its own):\n" +
        "  0    done\n" +
        "  1    a step failed or was refused (status: something unhealthy or unknown)\n" +
        "  2    bad inventory or usage\n" +
        "  3    a --dry-run found changes to make\n" +
        "  130  interrupted (Ctrl-C)",
    )
    .version(readVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({
      sortSubcommands: false,
      showGlobalOptions: true,
      // Descriptions are paragraphs and rows, never hard-wrapped: wrapped once, to the terminal.
      ...helpLayout,
    })
    .exitOverride();

  registerCommands(program);
  program.addHelpText(
    "after",
    `
A first session:
  $ harbor-ha validate inventory.yaml             # no network: every problem
  $ harbor-ha render inventory.yaml --out out/    # no network: every file
  $ harbor-ha provision inventory.yaml --dry-run  # what would change, as diffs
  $ harbor-ha provision inventory.yaml            # do it

Rehearse first: harbor-ha lab up (root, Debian), then use .lab/inventory.yaml.`,
  );
  return program;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

import type { Command } from "commander";
import { INVENTORY_SCHEMA_FILE, renderInventoryJsonSchema } from "../../inventory/json-schema.js";
import { REPORT_SCHEMA_FILE, renderReportJsonSchema } from "../report/run-report.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .summary("print the inventory's JSON Schema (for editors), or the --json report's")
    .description(
      [
        "Print the inventory's JSON Schema, generated from the schema harbor-ha itself parses inventories with: " +
          "an editor with the YAML language server completes keys and flags typos as you type. The repository " +
          `ships it as ${INVENTORY_SCHEMA_FILE}; point an inventory at it with a first line such as:`,
        "  # yaml-language-server: $schema=./harbor-ha.schema.json",
        "What a JSON Schema cannot say (supported Harbor releases, files that exist, the cross-checks) is left to " + "`harbor-ha validate`.",
        `With --report, the JSON Schema of every command's --json output instead (one shape: run, hosts, steps, ` +
          `problems, error, details), as the repository ships it in ${REPORT_SCHEMA_FILE}.`,
        "Exit status:\n  0  printed\n  2  bad usage",
      ].join("\n\n"),
    )
    .option("--report", "print the JSON Schema of the commands' --json report instead", false)
    .addHelpText(
      "after",
      `\nExamples:\n  $ harbor-ha schema > ${INVENTORY_SCHEMA_FILE}\n  $ harbor-ha schema | jq '.anyOf[0].properties | keys'\n` +
        `  $ harbor-ha schema --report > ${REPORT_SCHEMA_FILE}`,
    )
    .action((flags: { report: boolean }) => {
      process.stdout.write(flags.report ? renderReportJsonSchema() : renderInventoryJsonSchema());
    });
}

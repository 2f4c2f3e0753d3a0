import type { Command } from "commander";
import { INVENTORY_SCHEMA_FILE, renderInventoryJsonSchema } from "../../inventory/json-schema.js";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .summary("print the inventory's JSON Schema (for editors)")
    .description(
      "Print the inventory's JSON Schema, generated from the schema harbor-ha itself parses\n" +
        "inventories with: an editor with the YAML language server completes keys and flags\n" +
        `typos as you type. The repository ships it as ${INVENTORY_SCHEMA_FILE}; point an\n` +
        "inventory at it with a first line such as\n" +
        "  # yaml-language-server: $schema=./harbor-ha.schema.json\n" +
        "What a JSON Schema cannot say (supported Harbor releases, files that exist, the\n" +
        "cross-checks) is left to `harbor-ha validate`.\n\n" +
        "Exit status: 0.",
    )
    .addHelpText("after", `\nExamples:\n  $ harbor-ha schema > ${INVENTORY_SCHEMA_FILE}\n  $ harbor-ha schema | jq '.anyOf[0].properties | keys'`)
    .action(() => {
      process.stdout.write(renderInventoryJsonSchema());
    });
}

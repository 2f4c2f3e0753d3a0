import type { Command } from "commander";
import { readInventory } from "../../inventory/load.js";
import { formatProblems } from "../format-problems.js";
import { describeInventory } from "../describe-inventory.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .summary("check an inventory without touching the network")
    .description(
      "Check an inventory without touching the network: the schema, cross-checks (duplicate\n" +
        "names or addresses, the VIP against the load balancers' subnet, VRRP priorities and\n" +
        "router id, keepalived's 8-character auth_pass), TLS (key matches certificate, covers the\n" +
        "hostname, not expired), that every file exists and every ${env:NAME} secret is set.\n" +
        "Every problem is reported at once with its YAML path and line.\n\n" +
        "Exit status: 0 valid (warnings are printed), 2 invalid.",
    )
    .argument("<inventory>", "the inventory file (YAML)")
    .addHelpText("after", "\nExample:\n  $ harbor-ha validate inventory/example.yaml")
    .action(async (file: string) => {
      const { inventory, warnings } = await readInventory(file);
      process.stdout.write(formatProblems(inventory.path, warnings));
      process.stdout.write(`${file}: valid — ${describeInventory(inventory)}\n`);
    });
}

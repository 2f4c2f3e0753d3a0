import type { Command } from "commander";
import { addRollOptions, ROLL_EXIT_STATUS } from "./reconfigure.js";

export function registerRotateCerts(program: Command): void {
  const command = program
    .command("rotate-certs")
    .summary("put new TLS certificate, key and CA on every node, one node at a time behind the drain")
    .description(
      [
        "reconfigure limited to the TLS files: the certificate, key and CA the inventory's tls section names, on " +
          "every Harbor node (and the CA the health checks trust on the load balancers). Nodes roll in batches of " +
          "--serial behind the drain; each must serve the new certificate (its SHA-256 fingerprint compared with " +
          "the inventory's) and be healthy from every load balancer before it is back in service. While nodes " +
          "roll, the load balancers trust the old and the new CA together.",
        ROLL_EXIT_STATUS,
      ].join("\n\n"),
    );
  addRollOptions(command, "rotate-certs").addHelpText(
    "after",
    "\nExamples:\n  $ harbor-ha rotate-certs inventory.yaml --dry-run\n  $ harbor-ha rotate-certs inventory.yaml",
  );
}

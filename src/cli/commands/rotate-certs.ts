import type { Command } from "commander";
import { addRollOptions } from "./reconfigure.js";

export function registerRotateCerts(program: Command): void {
  const command = program
    .command("rotate-certs")
    .summary("put new TLS certificate, key and CA on every node, one node at a time behind the drain")
    .description(
      "reconfigure limited to the TLS files: the certificate, key and CA the inventory's tls section\n" +
        "names, on every Harbor node (and the CA check.sh trusts on the load balancers). Nodes roll in\n" +
        "batches of --serial behind the drain; each must serve the new certificate (its SHA-256\n" +
        "fingerprint compared with the inventory's) and pass check.sh before it is back in service.\n" +
        "While nodes roll, the load balancers trust the old and the new CA together.\n\n" +
        "Exit status: 0 done, 1 a step or health gate failed (or refused), " +
        "2 bad inventory or usage,\n3 --dry-run found changes to make, 130 interrupted.",
    );
  addRollOptions(command, "rotate-certs").addHelpText(
    "after",
    "\nExamples:\n  $ harbor-ha rotate-certs inventory.yaml --dry-run\n  $ harbor-ha rotate-certs inventory.yaml",
  );
}

import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Command } from "commander";
import { projectRoot } from "../../paths.js";
import { HarborHaError } from "../../errors.js";

/** `harbor-ha lab up|down|status`: the built-in lab, through scripts/lab.sh (root, Debian). */
export function registerLab(program: Command): void {
  program
    .command("lab")
    .summary("bring the built-in lab of SSH hosts up or down, to rehearse a change")
    .description(
      [
        "A cluster of real SSH hosts on this one Linux machine (root, Debian 12): network and mount namespaces on a " +
          "private bridge (198.18.0.0/24), each with its own sshd, keepalived on the load balancers, the database " +
          "and Redis on a db host, shared storage on the Harbor hosts. The nodes run Harbor's own offline installer " +
          "(1.4.0 by default, from ../shared/harbor): its install.sh and prepare unchanged, stand-ins only for what " +
          "Docker images would run. `up` writes .lab/inventory.yaml, which every command uses as it is. See " +
          "docs/LAB.md.",
        "Exit status:\n  0  done\n  2  bad usage (an unknown action)\n  *  otherwise scripts/lab.sh's own exit status",
      ].join("\n\n"),
    )
    .argument("<action>", "up | down | status")
    .argument(
      "[options...]",
      "for up: --lbs N --nodes N --protocol http|https --harbor-version 1.4|1.5|2.N (a 2.x line: its lowest patch installer in ../shared/harbor) --installer FILE --load-balancing lvs-dr|haproxy",
    )
    .allowUnknownOption(true)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha lab up --nodes 3\n" +
        "  $ harbor-ha lab up --harbor-version 1.5\n" +
        "  $ harbor-ha provision .lab/inventory.yaml\n" +
        "  $ lab/clients/client.sh harbor1 curl -s --cacert .lab/tls/ca.crt \\\n" +
        "      https://registry.lab.test/api/systeminfo\n" +
        "  $ harbor-ha lab down",
    )
    .action(async (action: string, options: string[]) => {
      if (!["up", "down", "status"].includes(action))
        throw new HarborHaError(`unknown lab action "${action}"`, { hint: "Use up, down or status.", exitCode: 2 });
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(join(projectRoot(), "scripts", "lab.sh"), [action, ...options], { stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      });
      if (code !== 0) process.exitCode = code;
    });
}

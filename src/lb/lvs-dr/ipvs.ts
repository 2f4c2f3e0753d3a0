/** The one command that reads a load balancer's IPVS table (facts/ipvs.ts parses it), as data. */
import { cmd } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";
import { NO_IPVS } from "../../facts/ipvs.js";

export { ipvsTakesNode, readIpvsTable } from "../../facts/ipvs.js";

/** `ipvsadm -Ln` where the host has it and the kernel IPVS; else the NO_IPVS line. */
export function ipvsTableCommand(): Command {
  return cmd("sh", "-c", `if command -v ipvsadm >/dev/null 2>&1 && ipvsadm -Ln 2>/dev/null; then :; else echo ${NO_IPVS}; fi`);
}

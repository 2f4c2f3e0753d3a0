/** The IPVS table of a load balancer, where the kernel has IPVS: command and parser. */
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import type { IpvsService } from "./types.js";

/** Exit status when ipvsadm is not installed. */
export const IPVSADM_MISSING_EXIT = 99;

export function ipvsTableCommand(): Command {
  return cmd("sh", "-c", `command -v ipvsadm >/dev/null 2>&1 || exit ${IPVSADM_MISSING_EXIT}; exec ipvsadm -Ln`);
}

/** `ipvsadm -Ln` output → services with their real servers (weight 0 = taken out by the checker). */
export function parseIpvsTable(output: string): IpvsService[] {
  const services: IpvsService[] = [];
  for (const line of output.split("\n")) {
    const service = /^(TCP|UDP|FWM|SCTP)\s+(\S+)\s+(\S+)/.exec(line);
    if (service) {
      services.push({ protocol: service[1] as string, address: service[2] as string, scheduler: service[3] as string, realServers: [] });
      continue;
    }
    const real = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    const current = services[services.length - 1];
    if (real && current) {
      current.realServers.push({
        address: real[1] as string,
        forward: real[2] as string,
        weight: Number(real[3]),
        activeConnections: Number(real[4]),
        inactiveConnections: Number(real[5]),
      });
    }
  }
  return services;
}

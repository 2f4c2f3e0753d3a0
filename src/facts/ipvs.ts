/**
 * The IPVS table of a load balancer as `ipvsadm -Ln` prints it (lb/lvs-dr/ipvs.ts reads it):
 * for status (what each real server gets) and for draining (whether a node still takes new
 * connections). A real server of weight 0 takes none: keepalived's checker took it out.
 * Pure: tested on captured output.
 */

/** What the command prints where IPVS is not in use: no ipvsadm, or no IPVS in the kernel. */
export const NO_IPVS = "harbor-ha:no-ipvs";

export interface IpvsRealServer {
  /** "10.20.0.21:443" */
  address: string;
  forward: string;
  weight: number;
  activeConnections: number;
  inactiveConnections: number;
}

export interface IpvsService {
  protocol: string;
  address: string;
  scheduler: string;
  realServers: IpvsRealServer[];
}

/** The command's output → the virtual services with their real servers; null where IPVS is not in use. */
export function readIpvsTable(output: string): IpvsService[] | null {
  if (output.includes(NO_IPVS)) return null;
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

/**
 * Whether IPVS sends the node new connections: a real server of some virtual service with a
 * weight above 0. undefined where nothing is balanced through IPVS (no table, or no virtual
 * service: keepalived runs VRRP only), so a drain waits the checker's period instead.
 */
export function ipvsTakesNode(table: readonly IpvsService[] | null, nodeAddress: string): boolean | undefined {
  if (table === null || table.length === 0) return undefined;
  return table.some((s) => s.realServers.some((r) => r.weight > 0 && r.address.replace(/:\d+$/, "") === nodeAddress));
}

/**
 * Host addresses given as names (a DNS name, or a Host alias of the ssh config), resolved once
 * per run before anything is rendered or any host reached: keepalived's peers, LVS's real
 * servers and HAProxy's servers need addresses, and every later step must use the same one.
 * An alias becomes its HostName (as `ssh` would connect), a name its IPv4 address (the first
 * the system resolver gives, as `ssh` would take). The VIP and uniqueness checks that validate
 * could not make on names are made again on the addresses.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIPv4 } from "node:net";
import { HarborHaError } from "../errors.js";
import { checkVmTopology } from "../inventory/checks.js";
import type { Inventory, ResolvedAddress } from "../inventory/model.js";
import { formatPath } from "../inventory/problems.js";
import type { SshConfig } from "./ssh-config.js";

/** Name → one IPv4 address; the system resolver unless a test gives its own. */
export type ResolveName = (name: string) => Promise<string>;

export const systemResolver: ResolveName = async (name) => (await dnsLookup(name, { family: 4 })).address;

/** The inventory with every host address an IPv4 address; `resolvedAddresses` says which were names and what they became. */
export async function resolveHostAddresses(
  inv: Inventory,
  config: SshConfig | undefined,
  resolveName: ResolveName = systemResolver,
): Promise<Inventory> {
  const hosts = [...inv.data.load_balancers, ...inv.data.harbor_nodes].filter((h) => !isIPv4(h.address));
  if (hosts.length === 0) return inv;
  const failures: string[] = [];
  const resolved: Record<string, ResolvedAddress> = {};
  await Promise.all(
    hosts.map(async (h) => {
      const hostName = config?.lookup(h.address).hostName;
      const name = hostName ?? h.address;
      const via = hostName === undefined ? "DNS" : `HostName ${hostName} in ${config?.path}${isIPv4(hostName) ? "" : ", then DNS"}`;
      try {
        resolved[h.name] = { given: h.address, address: isIPv4(name) ? name : await resolveName(name), via };
      } catch (err) {
        failures.push(`${h.name}: cannot resolve ${name}${hostName === undefined ? "" : ` (HostName of ${h.address})`}: ${(err as Error).message}`);
      }
    }),
  );
  if (failures.length > 0)
    throw new HarborHaError(`host addresses that do not resolve; nothing was done:\n  ${failures.sort().join("\n  ")}`, {
      hint: "Fix the names in the inventory (or in your ssh config / DNS), or give IPv4 addresses.",
      exitCode: 2,
    });
  const withAddress = <T extends { name: string; address: string }>(h: T): T => {
    const r = resolved[h.name];
    return r ? { ...h, address: r.address } : h;
  };
  // Only the host lists change; the VM inventory's types are the same either generation.
  const data = { ...inv.data, load_balancers: inv.data.load_balancers.map(withAddress), harbor_nodes: inv.data.harbor_nodes.map(withAddress) };
  const problems = checkVmTopology(data, new Set(["load_balancers", "harbor_nodes"])).filter((p) => p.severity === "error");
  if (problems.length > 0)
    throw new HarborHaError(
      `once resolved, the host addresses break the inventory's rules:\n  ${problems.map((p) => `${formatPath(p.at)}: ${p.message}`).join("\n  ")}`,
      { hint: "Check what the names resolve to (getent hosts NAME, ssh -G NAME), or give IPv4 addresses.", exitCode: 2 },
    );
  return Object.freeze({ ...inv, data, resolvedAddresses: Object.freeze(resolved) } as Inventory);
}

/** One line per resolved host, for the run's output: the name and the address used. */
export function describeResolvedAddresses(inv: Inventory): string[] {
  return Object.entries(inv.resolvedAddresses ?? {}).map(([host, r]) => `${host}: ${r.given} → ${r.address} (${r.via})`);
}

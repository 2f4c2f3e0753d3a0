/**
 * The VIP as an address of its own: a host address of the load balancers' network (not its
 * network or broadcast address, which no interface can hold for clients), a prefix no wider
 * than a LAN, and no address another service of the inventory already has. Pure, over the
 * sections that parsed; addresses given as DNS names cannot be compared and are left alone.
 */
import { formatPath, problemError } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";

/** The widest prefix a VIP's network may have: wider is no LAN segment a VRRP pair shares. */
export const MIN_VIP_PREFIX = 8;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4ToInt(address: string): number | undefined {
  const m = IPV4.exec(address);
  if (m === null) return undefined;
  return m.slice(1).reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** A service host the inventory names, with where. */
export interface NamedEndpoint {
  at: PathSegment[];
  host: string | undefined;
}

export function checkVipAddress(vip: string | undefined, endpoints: readonly NamedEndpoint[]): ProblemDraft[] {
  if (vip === undefined) return [];
  const [address = "", prefixText = "32"] = vip.split("/");
  const value = ipv4ToInt(address);
  const prefix = Number(prefixText);
  if (value === undefined || !Number.isInteger(prefix)) return [];
  const problems: ProblemDraft[] = [];
  if (prefix < MIN_VIP_PREFIX) {
    problems.push(
      problemError(
        ["cluster", "vip"],
        `has the prefix /${prefix}, a network wider than any segment a pair of load balancers shares; ` +
          `give the prefix of the load balancers' own subnet (/${MIN_VIP_PREFIX} to /32), such as ${address}/24`,
      ),
    );
  } else if (prefix <= 30) {
    const size = 2 ** (32 - prefix);
    const offset = value % size;
    if (offset === 0 || offset === size - 1)
      problems.push(
        problemError(
          ["cluster", "vip"],
          `${address} is the ${offset === 0 ? "network" : "broadcast"} address of its /${prefix} subnet, which no host can ` +
            "serve clients on; choose a free host address of the load balancers' subnet",
        ),
      );
  }
  for (const e of endpoints) {
    if (e.host === address)
      problems.push(
        problemError(
          ["cluster", "vip"],
          `${address} is also the address of ${formatPath(e.at)}; the VIP moves between the load balancers, so it must be an address no other host owns`,
        ),
      );
  }
  return problems;
}

/**
 * Preflight checks of the load-balancing mode on a load balancer. Pure.
 * - haproxy: an installed HAProxy must be 2.2 or later (the health check's `http-check
 *   connect` sequences); a missing one is installed by the plan (Debian 11 and later ship 2.2+).
 * - lvs-dr while harbor-ha's HAProxy still serves this cluster there: switching back is
 *   refused, with the reason and the way to do it.
 */
import type { Inventory } from "../../inventory/model.js";
import type { HostFacts } from "../../facts/types.js";
import { versionAtLeast } from "../../facts/versions.js";
import type { Version } from "../../facts/versions.js";
import { HAPROXY_CFG_PATH } from "./render.js";

export const MIN_HAPROXY: readonly [number, number, number] = [2, 2, 0];

export interface ModeProblem {
  message: string;
  hint: string;
}

/** "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/" (and "HA-Proxy version 1.8.19 …" of old releases). */
export function parseHaproxyVersion(output: string): Version | undefined {
  const m = /HA-?Proxy version (\d+)\.(\d+)(?:\.(\d+))?/i.exec(output);
  if (!m) return undefined;
  const [, major = "0", minor = "0", patch = "0"] = m;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), text: `${major}.${minor}.${patch}` };
}

export function loadBalancingProblems(inv: Inventory, f: HostFacts): ModeProblem[] {
  if (inv.data.load_balancing === "haproxy") {
    const fact = f.versions.haproxy;
    if (!fact?.found) return [];
    const v = parseHaproxyVersion(fact.output);
    if (v && !versionAtLeast(v, MIN_HAPROXY)) {
      return [
        {
          message:
            `has HAProxy ${v.text}; load_balancing: haproxy needs ${MIN_HAPROXY.join(".")} or later ` +
            `(its health check sends two requests per check)`,
          hint: "Upgrade HAProxy on the load balancer (Debian 11 and later ship 2.2 or later), or use load_balancing: lvs-dr.",
        },
      ];
    }
    return [];
  }
  const cfg = f.files[HAPROXY_CFG_PATH];
  const ours = cfg?.content?.includes(`Managed by harbor-ha (cluster ${inv.data.cluster.name})`) === true;
  if (!ours || f.haproxy?.running !== true) return [];
  return [
    {
      message:
        `serves this cluster with HAProxy (load_balancing: haproxy), ` +
        `and the inventory says lvs-dr: switching back to LVS direct routing is refused`,
      hint:
        "LVS direct routing needs the VIP acceptance rules on every Harbor node before a load balancer " +
        "sends it traffic, and harbor-ha changes load balancers before nodes, " +
        "so this switch would leave the VIP unserved in between. " +
        "Keep load_balancing: haproxy; or, in a maintenance window, stop HAProxy on every load balancer " +
        `(\`service haproxy stop\`, and move ${HAPROXY_CFG_PATH} aside) and run provision: ` +
        `the nodes get their VIP rules and keepalived its virtual servers.`,
    },
  ];
}

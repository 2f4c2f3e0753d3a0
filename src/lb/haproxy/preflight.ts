/**
 * Preflight checks that concern HAProxy on a load balancer. Pure.
 * - load_balancing: haproxy: an installed HAProxy must be 2.2 or later (the health check's
 *   `http-check connect` sequences); a missing one is installed by the plan (Debian 11 and
 *   later ship 2.2+).
 * - another mode while harbor-ha's HAProxy still serves this cluster there: switching away is
 *   refused, with the reason and the way to do it.
 */
import type { Inventory } from "../../inventory/model.js";
import type { FactQuery } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import { parseHaproxyVersion, versionAtLeast } from "../../facts/versions.js";
import type { ModeProblem } from "../mode.js";
import { HAPROXY_CFG_PATH } from "./render.js";

export const MIN_HAPROXY: readonly [number, number, number] = [2, 2, 0];

export function haproxyReleaseProblems(f: HostFacts): ModeProblem[] {
  const fact = f.versions.haproxy;
  if (!fact?.found) return [];
  const v = parseHaproxyVersion(fact.output);
  if (!v || versionAtLeast(v, MIN_HAPROXY)) return [];
  return [
    {
      message: `has HAProxy ${v.text}; load_balancing: haproxy needs ${MIN_HAPROXY.join(".")} or later (its health check sends two requests per check)`,
      hint: "Upgrade HAProxy on the load balancer (Debian 11 and later ship 2.2 or later), or use load_balancing: lvs-dr.",
    },
  ];
}

/** What another mode asks of a load balancer to see whether harbor-ha's HAProxy still serves there. */
export const HAPROXY_LEFTOVER_QUERIES: readonly FactQuery[] = [
  { kind: "haproxy" },
  { kind: "file", path: HAPROXY_CFG_PATH, desiredSha256: "", showContent: true },
];

/** harbor-ha's HAProxy still serving this cluster while the inventory chose another mode: refused. */
export function switchAwayProblems(inv: Inventory, f: HostFacts): ModeProblem[] {
  const cfg = f.files[HAPROXY_CFG_PATH];
  const ours = cfg?.content?.includes(`Managed by harbor-ha (cluster ${inv.data.cluster.name})`) === true;
  if (!ours || f.haproxy?.running !== true) return [];
  return [
    {
      message: `serves this cluster with HAProxy (load_balancing: haproxy), and the inventory says ${inv.data.load_balancing}: switching back to LVS direct routing is refused`,
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

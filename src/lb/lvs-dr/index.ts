/**
 * lvs-dr: the kernel's IPVS on the VIP holder spreads TCP 80/443 over the nodes (keepalived's
 * virtual_server blocks, a MISC_CHECK running check.sh per node), replies go from the node
 * straight to the client, and each node accepts the VIP's packets through iptables REDIRECT.
 * A node leaves service through a drain marker check.sh honours.
 */
import type { Inventory } from "../../inventory/model.js";
import { servedPorts } from "../../inventory/model.js";
import type { LbShell, LoadBalancingMode } from "../mode.js";
import { readIpvsTable } from "../../facts/ipvs.js";
import { parseRealServers } from "../../facts/served-nodes.js";
import { KEEPALIVED_CONF_PATH } from "../../desired/paths.js";
import { clearMarker, drainByMarker, undrainByMarker } from "./drain.js";
import { ipvsTableCommand } from "./ipvs.js";
import { planVipRules, planVipRulesRemoval, renderVipAcceptFiles, VIP_LEFTOVER_QUERIES, VIP_RULE_QUERIES } from "./vip-rules.js";

export function lvsDrMode(inv: Inventory): LoadBalancingMode {
  return {
    name: "lvs-dr",
    lb: {
      packages: [],
      keepalived: { virtualServers: servedPorts(inv).map((port) => ({ port })), vrrpScript: false },
      files: () => [],
      caHandlers: [],
      describe: {
        keepalivedConf: "keepalived configuration (VRRP for the VIP, LVS virtual servers)",
        checkSh: "health check of one Harbor node, run by keepalived's MISC_CHECK",
        ca: "CA that check.sh verifies Harbor's certificate with",
        sysctl: "kernel settings for LVS direct routing and the VIP",
      },
    },
    node: {
      packages: ["iptables"],
      files: (tpl) => renderVipAcceptFiles(inv, tpl),
      queries: () => [...VIP_RULE_QUERIES],
      steps: (host, f, changed) => planVipRules(host, f, changed),
    },
    lbQueries: () => [],
    lbServiceSteps: () => [],
    servedAddresses: (f, all) => {
      const conf = f.files[KEEPALIVED_CONF_PATH];
      // The content is in the facts only when it differs from the render, which serves every node.
      return conf?.content === undefined ? [...all] : parseRealServers(conf.content);
    },
    lbProblems: () => [],
    drainedAddresses: (f) => f.drained ?? [],
    drain: (ctx, node) => drainByMarker(inv, ctx, node),
    undrain: (ctx, node) => undrainByMarker(inv, ctx, node),
    forget: (ctx, node) => clearMarker(ctx, node),
    readStatus: async (shell: LbShell) => {
      const tables = await shell.tryOnEach(ipvsTableCommand(), "read the IPVS table");
      return { ipvs: new Map([...tables].map(([lb, out]) => [lb, out === undefined ? null : readIpvsTable(out)])) };
    },
    leftovers: {
      lbQueries: [],
      lbProblems: () => [],
      nodeQueries: VIP_LEFTOVER_QUERIES,
      nodeSteps: (host, f) =>
        planVipRulesRemoval(
          host,
          f,
          `load_balancing is ${inv.data.load_balancing}: the load balancers connect to the node's own address, the rules were for LVS direct routing`,
        ),
    },
    drill: "vip",
  };
}

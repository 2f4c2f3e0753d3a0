/**
 * haproxy: HAProxy on every load balancer, TCP mode, TLS passing through to Harbor, each
 * node health-checked with check.sh's test; keepalived moves the VIP away from a load
 * balancer whose HAProxy does not answer (a vrrp_script). The nodes need nothing. A node
 * leaves service through HAProxy's runtime API (drain, then ready).
 */
import type { Inventory } from "../../inventory/model.js";
import { desiredFile } from "../../desired/files.js";
import { drainedAddresses, parseHaproxyStat } from "../../facts/haproxy-stat.js";
import { parseHaproxyServers, parseRealServers } from "../../facts/served-nodes.js";
import { KEEPALIVED_CONF_PATH } from "../../desired/paths.js";
import type { LbShell, LoadBalancingMode } from "../mode.js";
import { haproxyShowStatCommand } from "./commands.js";
import { drainInHaproxy, undrainInHaproxy } from "./drain.js";
import { HAPROXY_LEFTOVER_QUERIES, haproxyReleaseProblems, switchAwayProblems } from "./preflight.js";
import { HAPROXY_ADMIN_SOCKET, HAPROXY_CFG_PATH, haproxyVrrpScript, renderHaproxyCfg } from "./render.js";
import { planHaproxyService } from "./service-steps.js";

export function haproxyMode(inv: Inventory): LoadBalancingMode {
  return {
    name: "haproxy",
    lb: {
      // socat: harbor-ha talks to HAProxy's runtime API through it.
      packages: ["haproxy", "socat"],
      keepalived: { virtualServers: [], vrrpScript: haproxyVrrpScript() },
      // Last among the load balancer's files: `haproxy -c` checks it against the CA file it names.
      files: (lbName, caPath, healthTest, tpl) => [
        desiredFile({
          path: HAPROXY_CFG_PATH,
          content: renderHaproxyCfg(inv, lbName, caPath, healthTest, tpl),
          mode: 0o644,
          onChange: ["reload-haproxy"],
          check: "haproxy",
          description: "HAProxy configuration (TCP 80/443 over the Harbor nodes, their health checks, the runtime API)",
        }),
      ],
      caHandlers: ["reload-haproxy"],
      describe: {
        keepalivedConf: "keepalived configuration (VRRP for the VIP, moved away when HAProxy is down)",
        checkSh: "health check of one Harbor node, run by harbor-ha's health gates",
        ca: "CA that check.sh and HAProxy's health check verify Harbor's certificate with",
        sysctl: "kernel settings for the VIP (HAProxy binds it on backups too)",
      },
    },
    node: { packages: [], files: () => [], queries: () => [], steps: () => [] },
    lbQueries: () => [{ kind: "haproxy" }, { kind: "version", program: "haproxy" }, { kind: "haproxy-stat", socket: HAPROXY_ADMIN_SOCKET }],
    // HAProxy before keepalived: keepalived's vrrp_script gives the VIP up while HAProxy does not answer.
    lbServiceSteps: (host, f, handlers, pending) => planHaproxyService(host, f, handlers, pending),
    servedAddresses: (f, all) => {
      const cfg = f.files[HAPROXY_CFG_PATH];
      if (cfg?.present) return cfg.content === undefined ? [...all] : parseHaproxyServers(cfg.content);
      // Switching from lvs-dr: the nodes keepalived's virtual servers still serve.
      const conf = f.files[KEEPALIVED_CONF_PATH]?.content;
      return conf === undefined ? [...all] : parseRealServers(conf);
    },
    lbProblems: (f) => haproxyReleaseProblems(f),
    drainedAddresses: (f) => drainedAddresses(f.haproxyServers ?? []),
    drain: (ctx, node) => drainInHaproxy(inv, ctx, node),
    undrain: (ctx, node) => undrainInHaproxy(inv, ctx, node),
    // A removed node's servers leave haproxy.cfg with the load balancers' own change.
    forget: async () => undefined,
    readStatus: async (shell: LbShell) => {
      const stats = await shell.tryOnEach(haproxyShowStatCommand(), "HAProxy: show stat");
      return { haproxy: new Map([...stats].map(([lb, out]) => [lb, out === undefined ? null : parseHaproxyStat(out)])) };
    },
    leftovers: {
      lbQueries: HAPROXY_LEFTOVER_QUERIES,
      lbProblems: (f) => switchAwayProblems(inv, f),
      nodeQueries: [],
      nodeSteps: () => [],
    },
    drill: "requests",
  };
}

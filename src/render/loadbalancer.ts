/**
 * A keepalived load balancer: VRRP for the VIP, and either LVS virtual servers over the
 * Harbor nodes (lvs-dr) or HAProxy behind the VIP (haproxy); the check.sh every health gate
 * runs, and the kernel settings for the VIP.
 */
import type { Inventory } from "../inventory/model.js";
import { effectivePriorities, isHarbor2Vm, servedPorts, usesHaproxy, vipParts } from "../inventory/model.js";
import { HARBOR2_HEALTH_TEST } from "../harbor/harbor2-layout.js";
import type { LoadBalancerSpec } from "../inventory/schema.js";
import { shellDoubleQuote } from "../shell/command.js";
import { desiredDirectory, desiredFile } from "../desired/files.js";
import { HAPROXY_CFG_PATH, haproxyVrrpScript, renderHaproxyCfg } from "../lb/haproxy/render.js";
import type { TemplateSet } from "../desired/templates.js";
import type { DesiredFile, DesiredHost } from "../desired/types.js";

export const KEEPALIVED_CONF_PATH = "/etc/keepalived/keepalived.conf";
export const CHECK_SCRIPT_PATH = "/usr/local/bin/check.sh";
export const DRAIN_DIR = "/var/lib/harbor-ha/drain";
export const LB_CA_PATH = "/etc/keepalived/harbor-ca.crt";

/** The index of the load balancer that starts as MASTER: the highest priority, first on a tie. */
export function masterIndex(priorities: readonly number[]): number {
  let best = 0;
  priorities.forEach((p, i) => {
    if (p > (priorities[best] ?? 0)) best = i;
  });
  return best;
}

export function renderLoadBalancer(inv: Inventory, index: number, tpl: TemplateSet): DesiredHost {
  const lb = inv.data.load_balancers[index];
  if (!lb) throw new RangeError(`no load balancer at index ${index}`);
  const haproxy = usesHaproxy(inv);
  const files: DesiredFile[] = [
    desiredFile({
      path: KEEPALIVED_CONF_PATH,
      content: renderKeepalivedConf(inv, index, lb, tpl),
      mode: 0o640,
      onChange: ["reload-keepalived"],
      check: "keepalived",
      description: haproxy
        ? "keepalived configuration (VRRP for the VIP, moved away when HAProxy is down)"
        : "keepalived configuration (VRRP for the VIP, LVS virtual servers)",
      secretKeys: { syntax: "keepalived", keys: ["auth_pass"] },
    }),
    desiredFile({
      path: CHECK_SCRIPT_PATH,
      content: renderCheckScript(inv, tpl),
      mode: 0o755,
      description: haproxy
        ? "health check of one Harbor node, run by harbor-ha's health gates"
        : "health check of one Harbor node, run by keepalived's MISC_CHECK",
    }),
  ];
  const caPath = inv.data.cluster.protocol === "https" && inv.tls?.caPem !== undefined ? LB_CA_PATH : undefined;
  if (caPath !== undefined && inv.tls?.caPem !== undefined) {
    files.push(
      desiredFile({
        path: caPath,
        content: inv.tls.caPem,
        mode: 0o644,
        tls: true,
        onChange: haproxy ? ["reload-haproxy"] : [],
        description: haproxy
          ? "CA that check.sh and HAProxy's health check verify Harbor's certificate with"
          : "CA that check.sh verifies Harbor's certificate with",
      }),
    );
  }
  files.push(
    desiredFile({
      path: "/etc/sysctl.d/90-harbor-ha.conf",
      content: tpl.sysctlConf({}),
      mode: 0o644,
      onChange: ["apply-sysctl"],
      description: haproxy ? "kernel settings for the VIP (HAProxy binds it on backups too)" : "kernel settings for LVS direct routing and the VIP",
    }),
    desiredFile({
      path: "/etc/default/keepalived",
      content: tpl.keepalivedDefault({ daemonArgs: shellDoubleQuote(inv.data.keepalived.daemon_options) }),
      mode: 0o644,
      onChange: ["restart-keepalived"],
      description: "keepalived daemon options",
    }),
  );
  if (haproxy) {
    // Last: `haproxy -c` checks it against the CA file it names.
    files.push(
      desiredFile({
        path: HAPROXY_CFG_PATH,
        content: renderHaproxyCfg(inv, lb.name, caPath, tpl),
        mode: 0o644,
        onChange: ["reload-haproxy"],
        check: "haproxy",
        description: "HAProxy configuration (TCP 80/443 over the Harbor nodes, their health checks, the runtime API)",
      }),
    );
  }
  return {
    host: { name: lb.name, address: lb.address, role: "loadbalancer" },
    // socat: harbor-ha talks to HAProxy's runtime API through it.
    packages: haproxy ? ["keepalived", "curl", "haproxy", "socat"] : ["keepalived", "curl"],
    users: [inv.data.keepalived.script_user],
    directories: [desiredDirectory(DRAIN_DIR, 0o755)],
    files,
    mounts: [],
    requiredMounts: [],
  };
}

function renderKeepalivedConf(inv: Inventory, index: number, lb: LoadBalancerSpec, tpl: TemplateSet): string {
  const { cluster, keepalived, load_balancers, harbor_nodes } = inv.data;
  const priorities = effectivePriorities(load_balancers);
  return tpl.keepalivedConf({
    clusterName: cluster.name,
    lb,
    keepalived,
    routerId: `${cluster.name}-${lb.name}`,
    instanceName: `VI_${keepalived.virtual_router_id}`,
    state: masterIndex(priorities) === index ? "MASTER" : "BACKUP",
    priority: priorities[index],
    authPass: keepalived.auth_pass.reveal(),
    unicast: keepalived.vrrp_mode === "unicast",
    peers: load_balancers.filter((_, i) => i !== index).map((other) => other.address),
    vip: vipParts(inv),
    haproxy: usesHaproxy(inv) ? haproxyVrrpScript() : false,
    virtualServers: usesHaproxy(inv) ? [] : servedPorts(inv).map((port) => ({ port })),
    nodes: harbor_nodes.map((n) => ({ name: n.name, address: n.address })),
    miscTimeoutS: keepalived.check_timeout_s + 1,
  });
}

function renderCheckScript(inv: Inventory, tpl: TemplateSet): string {
  const { cluster, keepalived } = inv.data;
  // Two requests share the budget; keepalived kills the script one second after it.
  const maxTimeS = keepalived.check_timeout_s / 2;
  return tpl.checkSh({
    clusterName: cluster.name,
    hostname: cluster.hostname,
    scheme: cluster.protocol,
    https: cluster.protocol === "https",
    caFile: inv.tls?.caPem !== undefined ? LB_CA_PATH : false,
    checkTimeoutS: keepalived.check_timeout_s,
    maxTimeS,
    connectTimeoutS: Math.min(2, maxTimeS),
    harbor2: isHarbor2Vm(inv) ? { ...HARBOR2_HEALTH_TEST, components: HARBOR2_HEALTH_TEST.components.join(" ") } : false,
  });
}

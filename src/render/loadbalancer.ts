/**
 * A keepalived load balancer: VRRP for the VIP, and either LVS virtual servers over the
 * Harbor nodes (lvs-dr) or HAProxy behind the VIP (haproxy); the check.sh every health gate
 * runs, and the kernel settings for the VIP.
 */
import type { Inventory } from "../inventory/model.js";
import { effectivePriorities, vipParts } from "../inventory/model.js";
import type { LoadBalancerSpec } from "../inventory/schema.js";
import { shellDoubleQuote } from "../shell/command.js";
import { keepalivedWord } from "../formats/keepalived.js";
import { desiredDirectory, desiredFile } from "../desired/files.js";
import { CHECK_SCRIPT_PATH, DRAIN_DIR, KEEPALIVED_CONF_PATH, LB_CA_PATH, SYSCTL_PATH } from "../desired/paths.js";
import type { TemplateSet } from "../desired/templates.js";
import type { DesiredFile, DesiredHost, NodeHealthTest } from "../desired/types.js";
import type { LoadBalancingMode } from "../lb/mode.js";

export { CHECK_SCRIPT_PATH, DRAIN_DIR, KEEPALIVED_CONF_PATH, LB_CA_PATH } from "../desired/paths.js";

/** The index of the load balancer that starts as MASTER: the highest priority, first on a tie. */
export function masterIndex(priorities: readonly number[]): number {
  let best = 0;
  priorities.forEach((p, i) => {
    if (p > (priorities[best] ?? 0)) best = i;
  });
  return best;
}

/** What a load balancer's render takes besides the inventory: the mode, and the test of a node the Harbor generation gives. */
export interface LbRenderContext {
  mode: LoadBalancingMode;
  healthTest: NodeHealthTest;
  tpl: TemplateSet;
}

export function renderLoadBalancer(inv: Inventory, index: number, ctx: LbRenderContext): DesiredHost {
  const lb = inv.data.load_balancers[index];
  if (!lb) throw new RangeError(`no load balancer at index ${index}`);
  const { mode, tpl } = ctx;
  const describe = mode.lb.describe;
  const files: DesiredFile[] = [
    desiredFile({
      path: KEEPALIVED_CONF_PATH,
      content: renderKeepalivedConf(inv, index, lb, ctx),
      mode: 0o640,
      onChange: ["reload-keepalived"],
      check: "keepalived",
      description: describe.keepalivedConf,
      secretKeys: { syntax: "keepalived", keys: ["auth_pass"] },
    }),
    desiredFile({
      path: CHECK_SCRIPT_PATH,
      content: renderCheckScript(inv, ctx),
      mode: 0o755,
      description: describe.checkSh,
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
        onChange: mode.lb.caHandlers,
        description: describe.ca,
      }),
    );
  }
  files.push(
    desiredFile({
      path: SYSCTL_PATH,
      content: tpl.sysctlConf({}),
      mode: 0o644,
      onChange: ["apply-sysctl"],
      description: describe.sysctl,
    }),
    desiredFile({
      path: "/etc/default/keepalived",
      content: tpl.keepalivedDefault({ daemonArgs: shellDoubleQuote(inv.data.keepalived.daemon_options) }),
      mode: 0o644,
      onChange: ["restart-keepalived"],
      description: "keepalived daemon options",
    }),
  );
  files.push(...mode.lb.files(lb.name, caPath, ctx.healthTest, tpl));
  return {
    host: { name: lb.name, address: lb.address, role: "loadbalancer" },
    packages: ["keepalived", "curl", ...mode.lb.packages],
    users: [inv.data.keepalived.script_user],
    directories: [desiredDirectory(DRAIN_DIR, 0o755)],
    files,
    mounts: [],
    requiredMounts: [],
  };
}

function renderKeepalivedConf(inv: Inventory, index: number, lb: LoadBalancerSpec, { mode, tpl }: LbRenderContext): string {
  const { cluster, keepalived, load_balancers, harbor_nodes } = inv.data;
  const priorities = effectivePriorities(load_balancers);
  return tpl.keepalivedConf({
    clusterName: cluster.name,
    lb: { ...lb, interface: keepalivedWord(lb.interface, `load_balancers[${index}].interface`) },
    keepalived: { ...keepalived, script_user: keepalivedWord(keepalived.script_user, "keepalived.script_user") },
    routerId: keepalivedWord(`${cluster.name}-${lb.name}`, "router_id"),
    instanceName: `VI_${keepalived.virtual_router_id}`,
    state: masterIndex(priorities) === index ? "MASTER" : "BACKUP",
    priority: priorities[index],
    authPass: keepalivedWord(keepalived.auth_pass.reveal(), "keepalived.auth_pass"),
    unicast: keepalived.vrrp_mode === "unicast",
    peers: load_balancers.filter((_, i) => i !== index).map((other) => other.address),
    vip: vipParts(inv),
    haproxy: mode.lb.keepalived.vrrpScript,
    virtualServers: mode.lb.keepalived.virtualServers,
    nodes: harbor_nodes.map((n) => ({ name: n.name, address: n.address })),
    miscTimeoutS: keepalived.check_timeout_s + 1,
  });
}

function renderCheckScript(inv: Inventory, { healthTest, tpl }: LbRenderContext): string {
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
    harbor2: healthTest === false ? false : { ...healthTest, components: healthTest.components.join(" ") },
  });
}

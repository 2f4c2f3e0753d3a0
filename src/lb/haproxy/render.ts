/**
 * HAProxy behind the keepalived VIP (load_balancing: haproxy): haproxy.cfg, and what
 * keepalived's vrrp_script needs to know of it. TCP passes through (Harbor terminates TLS);
 * each node is health-checked with the test check.sh makes.
 */
import type { Inventory } from "../../inventory/model.js";
import { servedPorts, vipParts } from "../../inventory/model.js";
import type { TemplateSet } from "../../desired/templates.js";
import type { NodeHealthTest } from "../../desired/types.js";
import { haproxyComment, haproxyLogFormatWord, haproxyName, haproxyRegexLiteral, haproxyWord } from "../../formats/haproxy.js";

export const HAPROXY_CFG_PATH = "/etc/haproxy/haproxy.cfg";
/** The runtime API (Debian's own default path), root only. */
export const HAPROXY_ADMIN_SOCKET = "/run/haproxy/admin.sock";
/** Where the runtime state (drained nodes) is saved just before a reload, for the new process. */
export const HAPROXY_STATE_FILE = "/var/lib/haproxy/server-state";
/** HAProxy's local liveness address, asked by keepalived's vrrp_script. */
export const HAPROXY_ALIVE_PORT = 8405;
export const HAPROXY_ALIVE_PATH = "/harbor-ha-alive";
/** The vrrp_script's name in keepalived.conf. */
export const HAPROXY_VRRP_SCRIPT = "harbor_ha_haproxy";

/** The backend that serves one port: named by it, so that drain and status find it. */
export function haproxyBackendName(port: number): string {
  return `harbor_${port}`;
}

/** The backends of a cluster: every served port; the health check runs on the highest (443 under https), the others track it. */
export function haproxyBackends(inv: Inventory): Array<{ name: string; port: number; checked: boolean }> {
  const ports = servedPorts(inv);
  const checkedPort = Math.max(...ports);
  return ports.map((port) => ({ name: haproxyBackendName(port), port, checked: port === checkedPort }));
}

/** The longest a dead node keeps receiving new connections: `fall` failed checks, each at most one interval plus its timeout. */
export function haproxyMarkDownMs(inv: Inventory): number {
  const { check_interval_s, fall } = inv.data.haproxy;
  return fall * (check_interval_s + inv.data.keepalived.check_timeout_s) * 1000;
}

/** What keepalived runs (as its script user) to ask whether HAProxy answers on this host. */
export function haproxyAliveCommand(): string {
  return `/usr/bin/curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:${HAPROXY_ALIVE_PORT}${HAPROXY_ALIVE_PATH}`;
}

/** The vrrp_script block's values for keepalived.conf.hbs. */
export function haproxyVrrpScript(): { scriptName: string; aliveCommand: string; intervalS: number; timeoutS: number; fall: number; rise: number } {
  return { scriptName: HAPROXY_VRRP_SCRIPT, aliveCommand: haproxyAliveCommand(), intervalS: 1, timeoutS: 3, fall: 2, rise: 2 };
}

/** Every inventory value reaches haproxy.cfg through formats/haproxy.ts, as the word (or comment) its keyword reads. */
export function renderHaproxyCfg(inv: Inventory, lbName: string, caPath: string | undefined, healthTest: NodeHealthTest, tpl: TemplateSet): string {
  const { cluster, haproxy, keepalived, harbor_nodes } = inv.data;
  const backends = haproxyBackends(inv);
  const checked = backends.find((b) => b.checked);
  const hostname = cluster.hostname;
  return tpl.haproxyCfg({
    clusterName: haproxyComment(cluster.name, "cluster.name"),
    lbName: haproxyComment(lbName, "a load balancer's name"),
    vip: haproxyWord(vipParts(inv).address, "cluster.vip"),
    portsText: servedPorts(inv).join("/"),
    adminSocket: HAPROXY_ADMIN_SOCKET,
    stateFile: HAPROXY_STATE_FILE,
    idleTimeoutS: haproxy.idle_timeout_s,
    checkTimeoutS: keepalived.check_timeout_s,
    alivePort: HAPROXY_ALIVE_PORT,
    alivePath: HAPROXY_ALIVE_PATH,
    hostname: haproxyComment(hostname, "cluster.hostname"),
    hostHeader: haproxyLogFormatWord(hostname, "cluster.hostname"),
    // Harbor 1.x's /api/systeminfo names the hostname as its registry_url: matched as literal text.
    registryUrlExpect: haproxyWord(`"registry_url"[[:space:]]*:[[:space:]]*"${haproxyRegexLiteral(hostname)}"`, "cluster.hostname"),
    harbor2: healthTest,
    checkOptions: checkOptions(inv, caPath),
    checkedBackend: checked?.name,
    backends,
    nodes: harbor_nodes.map((n) => ({
      name: haproxyName(n.name, "a Harbor node's name"),
      address: haproxyWord(n.address, `harbor node ${n.name}'s address`),
    })),
  });
}

/** The server options of the checked backend: timing, and under https a TLS check verified as clients verify it. */
function checkOptions(inv: Inventory, caPath: string | undefined): string {
  const { check_interval_s, fall, rise } = inv.data.haproxy;
  const timing = `check inter ${check_interval_s}s fall ${fall} rise ${rise}`;
  if (inv.data.cluster.protocol !== "https") return timing;
  const host = haproxyWord(inv.data.cluster.hostname, "cluster.hostname");
  // Without the inventory's CA, the system's trust store, as check.sh's curl does then.
  const ca = caPath === undefined ? "@system-ca" : haproxyWord(caPath, "the load balancers' CA path");
  return `${timing} check-ssl check-sni ${host} verify required ca-file ${ca} verifyhost ${host}`;
}

/** The fact queries a provision run makes of each host, by role. Pure. */
import type { Harbor1Inventory, Inventory } from "../inventory/model.js";
import { isHarbor2Vm, usesHaproxy, vipParts } from "../inventory/model.js";
import type { DesiredHost } from "../desired/types.js";
import { baseQueries } from "../facts/queries.js";
import type { FactQuery } from "../facts/queries.js";
import { harborDir, VIP_ACCEPT_SCRIPT_PATH } from "../render/harbor-node.js";
import { HAPROXY_CFG_PATH } from "../lb/haproxy/render.js";
import { HARBOR2_RELEASE_STAMP_PATH } from "../harbor/harbor2-layout.js";
import { harbor2EnvQueries } from "./harbor2-live.js";
import { bundleRemotePath, INSTALL_STAMP_PATH, localHealthUrl } from "./harbor-node.js";
import type { BundleInfo } from "./harbor-node.js";
import { LB_SYSCTLS } from "./loadbalancer.js";
import { nodePrerequisitePrograms } from "./prerequisites.js";
import { configurationsUrl, desiredDbSettings, HARBOR_ADMIN, SETTINGS_STAMP_PATH, settingsNode } from "./harbor-settings.js";
import { harborApiCurlConfig } from "../steps/commands.js";
import { liveFileQueries } from "./live-files.js";
import { PENDING_DIR } from "../steps/pending.js";

export function queriesFor(inv: Inventory, d: DesiredHost, bundle: BundleInfo): FactQuery[] {
  const vip = vipParts(inv).address;
  const q = baseQueries(d);
  q.push({ kind: "pending", path: PENDING_DIR });
  if (d.host.role === "loadbalancer") {
    const lb = inv.data.load_balancers.find((l) => l.name === d.host.name);
    if (lb) q.push({ kind: "iface", name: lb.interface });
    for (const key of Object.keys(LB_SYSCTLS)) q.push({ kind: "sysctl", key });
    q.push({ kind: "vip", address: vip }, { kind: "ping", address: vip }, { kind: "keepalived" }, { kind: "drain" });
    // HAProxy: whether it runs and its release; under lvs-dr, whether harbor-ha's HAProxy still serves (a switch back is refused).
    if (usesHaproxy(inv)) q.push({ kind: "haproxy" }, { kind: "version", program: "haproxy" });
    else q.push({ kind: "haproxy" }, { kind: "file", path: HAPROXY_CFG_PATH, desiredSha256: "", showContent: true });
    return q;
  }
  const { database, installer } = inv.data;
  q.push(
    // A real bundle is ~600 MB: its checksum is kept by the file's identity, not computed on every run.
    { kind: "file", path: bundleRemotePath(inv), desiredSha256: bundle.sha256, showContent: false, rememberSum: true },
    { kind: "file", path: `${harborDir(inv)}/install.sh`, desiredSha256: "", showContent: false },
    { kind: "stamp", path: INSTALL_STAMP_PATH },
    { kind: "http", url: localHealthUrl(inv) },
    { kind: "vipchain" },
    { kind: "vip", address: vip },
    { kind: "tcp", host: database.host, port: database.port },
    ...redisEndpoints(inv).map((e) => ({ kind: "tcp" as const, host: e.host, port: e.port })),
    { kind: "disk", path: installer.install_dir },
    ...nodePrerequisitePrograms(inv).map((program) => ({ kind: "version" as const, program })),
  );
  // Left over from lvs-dr: removed when found.
  if (usesHaproxy(inv)) q.push({ kind: "file", path: VIP_ACCEPT_SCRIPT_PATH, desiredSha256: "", showContent: false });
  if (!isHarbor2Vm(inv)) q.push(...harbor1NodeQueries(inv, d));
  else q.push({ kind: "stamp", path: HARBOR2_RELEASE_STAMP_PATH }, ...harbor2EnvQueries(inv, d));
  return q;
}

/** What a node reaches Redis at: the server, or each sentinel. */
export function redisEndpoints(inv: Inventory): Array<{ label: string; host: string; port: number }> {
  const redis = inv.data.redis;
  if (!isHarbor2Vm(inv)) return [{ label: "Redis", host: inv.data.redis.host, port: redis.port }];
  const r = inv.data.redis;
  if (r.sentinel) return r.sentinel.hosts.map((h) => ({ label: `Redis Sentinel (${r.sentinel?.master_set})`, host: h.host, port: h.port }));
  return r.host === undefined ? [] : [{ label: "Redis", host: r.host, port: r.port }];
}

/** Harbor 1.x: the files prepare --ha leaves live, Clair's database, and the database-held settings. */
function harbor1NodeQueries(inv: Harbor1Inventory, d: DesiredHost): FactQuery[] {
  const { clair_db, harbor } = inv.data;
  const q: FactQuery[] = [...liveFileQueries(inv, d)];
  if (harbor.with_clair && clair_db) q.push({ kind: "tcp", host: clair_db.host, port: clair_db.port });
  // What Harbor holds of the database-held settings the inventory sets: asked of one node (one database).
  if (d.host.name === settingsNode(inv) && desiredDbSettings(inv).length > 0) {
    q.push(
      { kind: "harbor-api", url: configurationsUrl(inv), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, harbor.admin_password) },
      { kind: "stamp", path: SETTINGS_STAMP_PATH },
    );
  }
  return q;
}

/** The fact queries a provision run makes of each host, by role. Pure. */
import type { Inventory } from "../inventory/model.js";
import { usesHaproxy, vipParts } from "../inventory/model.js";
import type { DesiredHost } from "../render/types.js";
import { baseQueries } from "../facts/queries.js";
import type { FactQuery } from "../facts/queries.js";
import { harborDir, VIP_ACCEPT_SCRIPT_PATH } from "../render/harbor-node.js";
import { HAPROXY_CFG_PATH } from "../render/haproxy.js";
import { bundleRemotePath, INSTALL_STAMP_PATH, localHealthUrl } from "./harbor-node.js";
import type { BundleInfo } from "./harbor-node.js";
import { LB_SYSCTLS } from "./loadbalancer.js";
import { NODE_PREREQUISITE_PROGRAMS } from "./prerequisites.js";
import { configurationsUrl, desiredDbSettings, HARBOR_ADMIN, SETTINGS_STAMP_PATH, settingsNode } from "./harbor-settings.js";
import { harborApiCurlConfig } from "./commands.js";
import { liveFileQueries } from "./live-files.js";
import { PENDING_DIR } from "./pending.js";

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
  const { database, redis, clair_db, harbor, installer } = inv.data;
  q.push(
    { kind: "file", path: bundleRemotePath(inv), desiredSha256: bundle.sha256, showContent: false },
    { kind: "file", path: `${harborDir(inv)}/install.sh`, desiredSha256: "", showContent: false },
    { kind: "stamp", path: INSTALL_STAMP_PATH },
    { kind: "http", url: localHealthUrl(inv) },
    { kind: "vipchain" },
    { kind: "vip", address: vip },
    { kind: "tcp", host: database.host, port: database.port },
    { kind: "tcp", host: redis.host, port: redis.port },
    { kind: "disk", path: installer.install_dir },
    ...NODE_PREREQUISITE_PROGRAMS.map((program) => ({ kind: "version" as const, program })),
    ...liveFileQueries(inv, d),
  );
  // Left over from lvs-dr: removed when found.
  if (usesHaproxy(inv)) q.push({ kind: "file", path: VIP_ACCEPT_SCRIPT_PATH, desiredSha256: "", showContent: false });
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

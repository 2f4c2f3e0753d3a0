/**
 * What Harbor 1.x's `prepare --ha` writes under common/config/ that the cluster depends on, with
 * the lines it derives from harbor-ha's harbor.cfg (facts/prepared-files.ts says why lines, not a
 * render or checksums). Read from the node's rendered harbor.cfg, so a node's own harbor_cfg
 * values count. The key files prepare copies from ha/ are compared whole (live-files.ts). Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import type { DesiredHost } from "../../desired/types.js";
import type { PreparedFile } from "../../facts/prepared-files.js";
import { harborDir } from "./paths.js";

export const HARBOR1_PREPARE_WRITER = "Harbor's prepare --ha with harbor-ha's harbor.cfg";

export function harbor1PreparedFiles(inv: Inventory, d: DesiredHost): PreparedFile[] {
  const dir = harborDir(inv);
  const cfgFile = d.files.find((f) => f.path === `${dir}/harbor.cfg`);
  if (!cfgFile) return [];
  const cfg = readCfgValues(cfgFile.content);
  const at = (rel: string) => `${dir}/common/config/${rel}`;
  const redis = cfg.get("redis_url") ?? "";
  const present = (rel: string, what: string): PreparedFile => ({ path: at(rel), lines: [], what });
  return [
    // prepare --ha renders config_ha.yml: the layer cache and uploads in the shared Redis. Without --ha, no redis section.
    { path: at("registry/config.yml"), lines: ["redis:", `  addr: ${redis}`], what: "the HA redis section (redis.addr: harbor.cfg's redis_url)" },
    // The UI keeps its sessions in Redis so that any node serves a logged-in user.
    { path: at("ui/env"), lines: [`_REDIS_URL=${redis}`], what: "the session Redis (_REDIS_URL: harbor.cfg's redis_url)" },
    {
      path: at("adminserver/env"),
      lines: [
        `MYSQL_HOST=${cfg.get("db_host") ?? ""}`,
        `MYSQL_PORT=${cfg.get("db_port") ?? ""}`,
        `MYSQL_USR=${cfg.get("db_user") ?? ""}`,
        `MYSQL_PWD=${cfg.get("db_password") ?? ""}`,
      ],
      what: "the cluster's database (MYSQL_HOST, MYSQL_PORT, MYSQL_USR, MYSQL_PWD: harbor.cfg's db_*)",
    },
    present("nginx/nginx.conf", "nothing more"),
    present("jobservice/env", "nothing more"),
    present("ui/app.conf", "nothing more"),
    present("log/logrotate.conf", "nothing more"),
  ];
}

/** harbor.cfg's `key = value` lines as prepare's ConfigParser reads them (value trimmed). */
function readCfgValues(content: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of content.split("\n")) {
    const m = /^([a-z_][a-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) values.set(m[1], m[2].trim());
  }
  return values;
}

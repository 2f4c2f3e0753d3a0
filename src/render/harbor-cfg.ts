/**
 * harbor.cfg for one node: every key of Harbor's own file, in its order and with its
 * comments (the template), filled from the inventory; then harbor.extra_cfg; then the
 * node's own harbor_cfg. Keys Harbor's file does not have are appended once at the end:
 * Harbor's prepare reads the file with ConfigParser, which rejects a key given twice.
 */
import type { Inventory } from "../inventory/model.js";
import type { HarborNodeSpec } from "../inventory/schema.js";
import { Secret } from "../inventory/secret.js";
import type { TemplateSet } from "./templates.js";

export const SERVER_CERT_PATH = "/data/cert/server.crt";
export const SERVER_KEY_PATH = "/data/cert/server.key";

type Scalar = string | number | boolean;

/** The values harbor-ha derives from the inventory, before any pass-through key. */
export function deriveHarborCfg(inv: Inventory): Record<string, string> {
  const { cluster, harbor, database, clair_db, storage } = inv.data;
  const cfg: Record<string, string> = {
    hostname: cluster.hostname,
    ui_url_protocol: cluster.protocol,
    // off: prepare copies common/templates' token key pair, which harbor-ha makes identical on every node.
    customize_crt: "off",
    ssl_cert: SERVER_CERT_PATH,
    ssl_cert_key: SERVER_KEY_PATH,
    secretkey_path: "/data",
    admiral_url: "NA",
    harbor_admin_password: harbor.admin_password.reveal(),
    db_host: database.host,
    db_password: database.password.reveal(),
    db_port: String(database.port),
    db_user: database.user,
    redis_url: renderRedisUrl(inv),
  };
  if (clair_db) {
    Object.assign(cfg, {
      clair_db_host: clair_db.host,
      clair_db_password: clair_db.password.reveal(),
      clair_db_port: String(clair_db.port),
      clair_db_username: clair_db.user,
      clair_db: clair_db.database,
    });
  }
  if (storage.type === "object_store") {
    cfg.registry_storage_provider_name = storage.provider;
    cfg.registry_storage_provider_config = Object.entries(storage.config)
      .map(([k, v]) => `${k}: ${v instanceof Secret ? v.reveal() : String(v)}`)
      .join(", ");
  } else {
    cfg.registry_storage_provider_name = "filesystem";
    cfg.registry_storage_provider_config = "";
  }
  return cfg;
}

/** Harbor 1.4's redis_url: host:port[,weight,password,db_index]. */
export function renderRedisUrl(inv: Inventory): string {
  const { host, port, password, db_index } = inv.data.redis;
  const base = `${host}:${port}`;
  if (password === undefined && db_index === undefined) return base;
  // The weight is the connection pool size in Harbor's redis client; 100 is its documented example.
  return `${base},100,${password?.reveal() ?? ""},${db_index ?? 0}`;
}

export function renderHarborCfg(inv: Inventory, node: HarborNodeSpec, tpl: TemplateSet): string {
  const values: Record<string, string> = { ...deriveHarborCfg(inv) };
  const extraOrder: string[] = [];
  const known = new Set(tpl.harborCfgKeys);
  const passThrough = (entries: Record<string, Scalar>) => {
    for (const [key, value] of Object.entries(entries)) {
      values[key] = String(value);
      if (!known.has(key) && !extraOrder.includes(key)) extraOrder.push(key);
    }
  };
  passThrough(inv.data.harbor.extra_cfg);
  passThrough(node.harbor_cfg ?? {});
  return tpl.harborCfg({
    clusterName: inv.data.cluster.name,
    nodeName: node.name,
    cfg: values,
    extraKeys: extraOrder.map((key) => ({ key, value: values[key] })),
  });
}

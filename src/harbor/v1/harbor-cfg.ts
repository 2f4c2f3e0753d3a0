/**
 * harbor.cfg for one node: exactly the keys the inventory's Harbor release's prepare reads
 * (src/harbor/cfg-keys.ts), in our order and with our section comments, filled from the
 * inventory; then harbor.extra_cfg; then the node's own harbor_cfg. Keys that release does
 * not read are appended once at the end (validation warns about them): Harbor's prepare
 * reads the file with ConfigParser, which rejects a key given twice.
 */
import { defaultCfgValue, HARBOR_CFG_SECRET_KEYS, harborCfgSections } from "./data/cfg-keys.js";
import { SECRETKEY_DIR, SERVER_CERT_PATH, SERVER_KEY_PATH } from "./data/layout.js";
import { seriesOfValidVersion } from "../versions.js";
import type { Harbor1Inventory } from "../../inventory/model.js";
import type { CfgValue, HarborNodeSpec } from "../../inventory/schema.js";
import { Secret } from "../../inventory/secret.js";
import type { TemplateSet } from "../../desired/templates.js";
import { encodeIniLine, encodeProviderConfig } from "../../formats/ini.js";

export { SERVER_CERT_PATH, SERVER_KEY_PATH } from "./data/layout.js";

/** The values harbor-ha derives from the inventory, before any pass-through key. */
export function deriveHarborCfg(inv: Harbor1Inventory): Record<string, string> {
  const { cluster, harbor, database, clair_db, storage } = inv.data;
  const cfg: Record<string, string> = {
    hostname: cluster.hostname,
    ui_url_protocol: cluster.protocol,
    // off: prepare would otherwise make a new token key pair on every node; harbor-ha
    // gives every node the cluster's one pair through <harbor dir>/ha/ instead.
    customize_crt: "off",
    ssl_cert: SERVER_CERT_PATH,
    ssl_cert_key: SERVER_KEY_PATH,
    secretkey_path: SECRETKEY_DIR,
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
    cfg.registry_storage_provider_config = encodeProviderConfig(
      Object.entries(storage.config).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v] as const),
    );
  } else {
    cfg.registry_storage_provider_name = "filesystem";
    cfg.registry_storage_provider_config = "";
  }
  return cfg;
}

/**
 * redis_url as Harbor 1.4/1.5 can use it: `host:port` only. Their HA registry config
 * copies redis_url verbatim into the registry's redis.addr (Harbor issues #5275, #6299),
 * so the `host:port,weight,password,db_index` form would leave the registry unable to
 * reach Redis; validation refuses a password or a db_index other than 0 for these releases.
 */
export function renderRedisUrl(inv: Harbor1Inventory): string {
  const { host, port } = inv.data.redis;
  return `${host}:${port}`;
}

/** Every harbor.cfg value of one node: derived, then harbor.extra_cfg, then the node's own keys. */
export function harborCfgValues(inv: Harbor1Inventory, node: HarborNodeSpec): Record<string, string> {
  const values: Record<string, string> = { ...deriveHarborCfg(inv) };
  const passThrough = (entries: Record<string, CfgValue>) => {
    for (const [key, value] of Object.entries(entries)) values[key] = value instanceof Secret ? value.reveal() : String(value);
  };
  passThrough(inv.data.harbor.extra_cfg);
  passThrough(node.harbor_cfg ?? {});
  return values;
}

/**
 * The keys of one node's harbor.cfg whose values are secrets: Harbor's password keys, and
 * every key the inventory passes through as a `${env:…}` / `${file:…}` secret.
 */
export function harborCfgSecretKeys(inv: Harbor1Inventory, node: HarborNodeSpec): string[] {
  const passedAsSecret = [inv.data.harbor.extra_cfg, node.harbor_cfg ?? {}].flatMap((m) =>
    Object.entries(m)
      .filter(([, v]) => v instanceof Secret)
      .map(([k]) => k),
  );
  // The object store's parameters hold its access keys, whatever they are named (accesskey, secretkey, key, …): the whole line is masked.
  return [...new Set([...HARBOR_CFG_SECRET_KEYS, "registry_storage_provider_config", ...passedAsSecret])];
}

export function renderHarborCfg(inv: Harbor1Inventory, node: HarborNodeSpec, tpl: TemplateSet): string {
  const version = inv.data.cluster.harbor_version;
  const series = seriesOfValidVersion(version);
  const values = harborCfgValues(inv, node);
  const placed = new Set<string>();
  const sections = harborCfgSections(series)
    .map((s) => ({
      title: s.title,
      lines: s.keys.flatMap((k) => {
        placed.add(k.key);
        const value = values[k.key] ?? defaultCfgValue(k, series);
        return value === undefined ? [] : [encodeIniLine(k.key, value)];
      }),
    }))
    .filter((s) => s.lines.length > 0);
  const extraLines = Object.entries(values)
    .filter(([key]) => !placed.has(key))
    .map(([key, value]) => encodeIniLine(key, value));
  return tpl.harborCfg({
    clusterName: inv.data.cluster.name,
    nodeName: node.name,
    harborVersion: version,
    harborSeries: series,
    sections,
    extraLines,
  });
}

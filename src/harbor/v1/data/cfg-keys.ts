/**
 * The harbor.cfg keys Harbor's own `prepare` reads, per release line, as harbor-ha renders them.
 *
 * `prepare` (Python 2) reads harbor.cfg with ConfigParser and takes most keys with a plain
 * `get`: a key missing from the file kills it with NoOptionError before anything is written.
 * So the file harbor-ha renders holds exactly the keys that release's prepare reads: every
 * "required" key always, "with-clair" keys always too (harmless without Clair), "optional"
 * keys (prepare asks `has_option` first) only when the inventory sets them.
 *
 * Checked against the real prepare of each release by test/tool/harbor/v1/cfg-keys.test.ts,
 * which reads the key names out of the installer bundles in ../shared/harbor/.
 * Defaults are values that work, not Harbor's sample placeholders: a free-text setting
 * nobody set is empty rather than "smtp.mydomain.com".
 */
import type { HarborSeries } from "../../versions.js";

/**
 * required: read unconditionally. with-clair: read only under `prepare --with-clair`.
 * optional: read only when present. none: not read by prepare at all (`_version` is read
 * by Harbor's migrator, to tell which release wrote the file).
 */
export type CfgKeyRead = "required" | "with-clair" | "optional" | "none";

/** int: adminserver parses it with strconv.Atoi (a non-number stops it at start). */
export type CfgValueType = "text" | "int" | "bool";

export interface HarborCfgKey {
  key: string;
  series: readonly HarborSeries[];
  read: CfgKeyRead;
  type: CfgValueType;
  /** What the rendered file holds when neither the inventory nor harbor-ha sets the key; absent for optional keys. */
  default?: string | Readonly<Record<HarborSeries, string>>;
  /** The only values prepare or Harbor accept, when they are few. */
  choices?: readonly string[];
}

export interface HarborCfgSection {
  /** Our one-line description, rendered as a comment above the keys. */
  title: string;
  keys: readonly HarborCfgKey[];
}

const BOTH: readonly HarborSeries[] = ["1.4", "1.5"];
const V15: readonly HarborSeries[] = ["1.5"];

const req = (key: string, dflt: HarborCfgKey["default"], type: CfgValueType = "text", series = BOTH): HarborCfgKey => ({
  key,
  series,
  read: "required",
  type,
  default: dflt,
});
const opt = (key: string, type: CfgValueType = "text", series = BOTH): HarborCfgKey => ({ key, series, read: "optional", type });

export const HARBOR_CFG_SECTIONS: readonly HarborCfgSection[] = [
  {
    title: "How clients reach this cluster, and the files prepare copies into place",
    keys: [
      { key: "_version", series: V15, read: "none", type: "text", default: "1.5.0" },
      req("hostname", ""),
      { ...req("ui_url_protocol", "http"), choices: ["http", "https"] },
      req("ssl_cert", "/data/cert/server.crt"),
      req("ssl_cert_key", "/data/cert/server.key"),
      { ...req("customize_crt", "off"), choices: ["on", "off"] },
      req("secretkey_path", "/data"),
      { key: "admiral_url", series: BOTH, read: "optional", type: "text", default: "NA" },
    ],
  },
  {
    title: "Job service and log rotation",
    keys: [req("max_job_workers", { "1.4": "3", "1.5": "50" }, "int"), req("log_rotate_count", "50", "int"), req("log_rotate_size", "200M")],
  },
  {
    title: "Proxy for Clair's vulnerability database updates (read with Clair only)",
    keys: ["http_proxy", "https_proxy", "no_proxy"].map((key) => ({
      key,
      series: V15,
      read: "with-clair" as const,
      type: "text" as const,
      default: key === "no_proxy" ? "127.0.0.1,localhost,ui" : "",
    })),
  },
  {
    title: "Settings Harbor copies into its database on first start (later changes go through Harbor's API)",
    keys: [
      req("email_identity", ""),
      req("email_server", ""),
      req("email_server_port", "25", "int"),
      req("email_username", ""),
      req("email_password", ""),
      req("email_from", ""),
      req("email_ssl", "false", "bool"),
      req("email_insecure", "false", "bool"),
      req("harbor_admin_password", ""),
      { ...req("auth_mode", "db_auth"), choices: ["db_auth", "ldap_auth", "uaa_auth"] },
      req("ldap_url", ""),
      opt("ldap_searchdn"),
      opt("ldap_search_pwd"),
      req("ldap_basedn", ""),
      opt("ldap_filter"),
      req("ldap_uid", "uid"),
      req("ldap_scope", "2", "int"),
      req("ldap_timeout", "5", "int"),
      req("ldap_verify_cert", "true", "bool"),
      req("ldap_group_basedn", "", "text", V15),
      req("ldap_group_filter", "", "text", V15),
      req("ldap_group_gid", "", "text", V15),
      req("ldap_group_scope", "2", "int", V15),
      req("self_registration", "on", "bool"),
      req("token_expiration", "30", "int"),
      { ...req("project_creation_restriction", "everyone"), choices: ["everyone", "adminonly"] },
    ],
  },
  {
    title: "Harbor's MariaDB (the registry database)",
    keys: [req("db_host", ""), req("db_password", ""), req("db_port", "3306", "int"), req("db_user", "")],
  },
  {
    title: "Redis, shared by every node for UI sessions and the registry's layer cache",
    keys: [req("redis_url", "")],
  },
  {
    title: "Clair's PostgreSQL (read even without Clair)",
    keys: [
      req("clair_db_host", ""),
      req("clair_db_password", ""),
      req("clair_db_port", "5432", "int"),
      req("clair_db_username", "postgres"),
      req("clair_db", "postgres"),
    ],
  },
  {
    title: "UAA authentication (used with auth_mode uaa_auth only)",
    keys: [
      req("uaa_endpoint", ""),
      req("uaa_clientid", ""),
      req("uaa_clientsecret", ""),
      req("uaa_verify_cert", "true", "bool"),
      req("uaa_ca_cert", ""),
    ],
  },
  {
    title: "Where the registry keeps image data",
    keys: [req("registry_storage_provider_name", "filesystem"), req("registry_storage_provider_config", "")],
  },
  {
    title: "Reloading settings from this file at start (only when set)",
    keys: [opt("reload_config", "bool"), opt("skip_reload_env_pattern", "text", V15)],
  },
];

/**
 * The harbor.cfg keys whose values are secrets, in every release: never shown in a diff,
 * whatever their value, and masked wherever an inventory passes them through.
 */
export const HARBOR_CFG_SECRET_KEYS: readonly string[] = [
  "harbor_admin_password",
  "db_password",
  "clair_db_password",
  "email_password",
  "ldap_search_pwd",
  "uaa_clientsecret",
];

/** The sections of one release, with only the keys its prepare knows. */
export function harborCfgSections(series: HarborSeries): HarborCfgSection[] {
  return HARBOR_CFG_SECTIONS.map((s) => ({ title: s.title, keys: s.keys.filter((k) => k.series.includes(series)) })).filter((s) => s.keys.length > 0);
}

/** Every key of one release, by name. */
export function harborCfgKeys(series: HarborSeries): ReadonlyMap<string, HarborCfgKey> {
  return new Map(harborCfgSections(series).flatMap((s) => s.keys.map((k) => [k.key, k] as const)));
}

/** The value a key takes when nothing sets it, in one release (undefined: left out of the file). */
export function defaultCfgValue(k: HarborCfgKey, series: HarborSeries): string | undefined {
  if (k.default === undefined) return undefined;
  return typeof k.default === "string" ? k.default : k.default[series];
}

/**
 * The harbor.cfg settings Harbor 1.4/1.5 keeps in its database after the first start.
 *
 * prepare writes every setting into the adminserver's environment, but the adminserver
 * reads most of them only when its configuration store is empty (the very first start,
 * or RESET=true from reload_config): afterwards it loads just a short "repeat load" list
 * from the environment and keeps the rest as stored. So changing one of these keys in
 * harbor.cfg and running install.sh again changes nothing; the change must go through
 * Harbor's API (PUT /api/configurations, as admin), and only for the keys that API takes.
 * And since all nodes share the database, a per-node value is meaningless; the same holds for
 * the few settings reloaded at every start (SHARED_RELOADED_SETTINGS).
 *
 * Derived from goharbor/harbor src/adminserver/systemcfg/systemcfg.go (allEnvs minus
 * repeatLoadEnvs; identical across v1.4.0–v1.4.1 and across v1.5.0–v1.5.4), the
 * harbor.cfg → environment mapping in each release's prepare (common/templates/adminserver/env),
 * the configuration keys in src/common/const.go, and the keys PUT /api/configurations
 * accepts (validKeys in src/ui/api/config.go in 1.4, common.HarborValidKeys in 1.5).
 */
import type { HarborSeries } from "../../versions.js";

export interface DbHeldSetting {
  /** The harbor.cfg key. */
  cfgKey: string;
  /** The adminserver's configuration key: the JSON key of GET/PUT /api/configurations. */
  apiKey: string;
  /** PUT /api/configurations accepts it; false: no API changes it after the first start. */
  settableViaApi: boolean;
  /** The JSON type the API takes and returns. */
  type: "string" | "int" | "bool";
}

const s = (cfgKey: string, apiKey: string, type: DbHeldSetting["type"] = "string", settableViaApi = true): DbHeldSetting => ({
  cfgKey,
  apiKey,
  settableViaApi,
  type,
});

/** Held in the database by both release lines. */
const COMMON: readonly DbHeldSetting[] = [
  s("auth_mode", "auth_mode"),
  s("self_registration", "self_registration", "bool"),
  s("ldap_url", "ldap_url"),
  s("ldap_searchdn", "ldap_search_dn"),
  s("ldap_search_pwd", "ldap_search_password"),
  s("ldap_basedn", "ldap_base_dn"),
  s("ldap_filter", "ldap_filter"),
  s("ldap_uid", "ldap_uid"),
  s("ldap_scope", "ldap_scope", "int"),
  s("ldap_timeout", "ldap_timeout", "int"),
  s("ldap_verify_cert", "ldap_verify_cert", "bool"),
  s("email_server", "email_host"),
  s("email_server_port", "email_port", "int"),
  s("email_username", "email_username"),
  s("email_password", "email_password"),
  s("email_from", "email_from"),
  s("email_ssl", "email_ssl", "bool"),
  s("email_identity", "email_identity"),
  s("email_insecure", "email_insecure", "bool"),
  s("project_creation_restriction", "project_creation_restriction"),
  s("token_expiration", "token_expiration", "int"),
  // Only the first start's admin password; later the admin changes it like any user's.
  s("harbor_admin_password", "admin_initial_password", "string", false),
  s("clair_db", "clair_db", "string", false),
];

/** 1.4 also keeps the database and Clair database addresses as first written (1.5 reloads them). */
const ONLY_14: readonly DbHeldSetting[] = [
  s("db_host", "mysql_host", "string", false),
  s("db_port", "mysql_port", "int", false),
  s("db_user", "mysql_username", "string", false),
  s("clair_db_host", "clair_db_host", "string", false),
  // 1.4 reads CLAIR_DB_PORT as text, 1.5 as a number.
  s("clair_db_port", "clair_db_port", "string", false),
  s("clair_db_username", "clair_db_username", "string", false),
];

/** 1.5's LDAP group settings (new in 1.5). */
const ONLY_15: readonly DbHeldSetting[] = [
  s("ldap_group_basedn", "ldap_group_base_dn"),
  s("ldap_group_filter", "ldap_group_search_filter"),
  s("ldap_group_gid", "ldap_group_attribute_name"),
  s("ldap_group_scope", "ldap_group_search_scope", "int"),
];

export const DB_HELD_SETTINGS: Readonly<Record<HarborSeries, readonly DbHeldSetting[]>> = {
  "1.4": [...COMMON, ...ONLY_14],
  "1.5": [...COMMON, ...ONLY_15],
};

/**
 * Kept in the shared database too, but re-read from each node's environment at every start
 * ("repeat load"): a cluster-wide change works through install.sh, but a per-node value ends
 * as whatever the last node to start wrote. In 1.4 the job service takes max_job_workers from
 * there; 1.5's job service reads its own config.yml, which prepare writes per node.
 */
export const SHARED_RELOADED_SETTINGS: Readonly<Record<HarborSeries, readonly string[]>> = {
  "1.4": ["max_job_workers", "admiral_url", "uaa_endpoint", "uaa_clientid", "uaa_clientsecret", "uaa_verify_cert"],
  "1.5": ["admiral_url", "uaa_endpoint", "uaa_clientid", "uaa_clientsecret", "uaa_verify_cert"],
};

/** The database-held setting behind a harbor.cfg key in one release, if it is one. */
export function dbHeldSetting(series: HarborSeries, cfgKey: string): DbHeldSetting | undefined {
  return DB_HELD_SETTINGS[series].find((x) => x.cfgKey === cfgKey);
}

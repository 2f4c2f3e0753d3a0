/**
 * The harbor.cfg keys and values an inventory passes through (harbor.extra_cfg,
 * harbor_nodes[].harbor_cfg), judged by what the chosen Harbor release does with them:
 * keys harbor-ha writes itself, keys that release's prepare does not read, values its
 * ConfigParser or adminserver would misread, and per-node values of settings Harbor keeps
 * in its shared database. Pure, over the sections that parsed.
 */
import { harborCfgKeys } from "../harbor/v1/data/cfg-keys.js";
import type { HarborCfgKey } from "../harbor/v1/data/cfg-keys.js";
import { dbHeldSetting, SHARED_RELOADED_SETTINGS } from "../harbor/v1/data/db-settings.js";
import { harborSeriesOf } from "../harbor/versions.js";
import type { HarborSeries } from "../harbor/versions.js";
import type { ParsedSections } from "./parsed-sections.js";
import type { CfgValue } from "./schema.js";
import { problemError, problemWarning } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";
import { Secret } from "./secret.js";
import { iniValueProblem, providerKeyProblem, providerValueProblem } from "../formats/ini.js";

/**
 * harbor.cfg keys harbor-ha writes from other inventory fields, with the field that sets
 * each. Passing them through extra_cfg or a node's harbor_cfg would fight the tool.
 */
export const MANAGED_HARBOR_CFG_KEYS: Readonly<Record<string, string>> = {
  _version: "cluster.harbor_version",
  hostname: "cluster.hostname",
  ui_url_protocol: "cluster.protocol",
  harbor_admin_password: "harbor.admin_password",
  db_host: "database.host",
  db_port: "database.port",
  db_user: "database.user",
  db_password: "database.password",
  redis_url: "redis",
  clair_db_host: "clair_db.host",
  clair_db_port: "clair_db.port",
  clair_db_username: "clair_db.user",
  clair_db_password: "clair_db.password",
  clair_db: "clair_db.database",
  registry_storage_provider_name: "storage",
  registry_storage_provider_config: "storage",
  ssl_cert: "tls.certificate",
  ssl_cert_key: "tls.key",
  secretkey_path: "harbor-ha's state folder (one secretkey for the whole cluster)",
  customize_crt: "harbor-ha's state folder (one token signing key for the whole cluster)",
};

type CfgMap = Readonly<Record<string, CfgValue>>;

/** ConfigParser lower-cases key names: `Auth_Mode` would silently become a second `auth_mode`. */
const CFG_KEY = /^[a-z_][a-z0-9_]*$/;
const INTEGER = /^-?\d+$/;
const BOOLEAN = /^(true|false|on|off)$/i;

export function checkHarborCfg(d: ParsedSections): ProblemDraft[] {
  const series = d.cluster?.harbor_version === undefined ? undefined : harborSeriesOf(d.cluster.harbor_version);
  const maps: Array<{ at: PathSegment[]; cfg: CfgMap; perNode: boolean }> = [
    { at: ["harbor", "extra_cfg"], cfg: (d.harbor?.extra_cfg ?? {}) as CfgMap, perNode: false },
    ...(d.harbor_nodes ?? []).map((n, i) => ({
      at: ["harbor_nodes", i, "harbor_cfg"] as PathSegment[],
      cfg: (n?.harbor_cfg ?? {}) as CfgMap,
      perNode: true,
    })),
  ];
  const problems: ProblemDraft[] = [];
  for (const { at, cfg, perNode } of maps) {
    for (const [key, value] of Object.entries(cfg)) {
      problems.push(...checkKey([...at, key], key, value, series, perNode));
    }
  }
  problems.push(...checkLdapSearchPair(maps[0]?.cfg ?? {}));
  problems.push(...checkRenderedValues(d));
  return problems;
}

function checkKey(at: PathSegment[], key: string, value: CfgValue, series: HarborSeries | undefined, perNode: boolean): ProblemDraft[] {
  const managedBy = MANAGED_HARBOR_CFG_KEYS[key];
  if (managedBy !== undefined) return [problemError(at, `is set by harbor-ha from ${managedBy}; remove it here`)];
  if (!CFG_KEY.test(key))
    return [
      problemError(
        at,
        `is not a harbor.cfg key: keys are lower-case words with "_" (Harbor's ConfigParser lower-cases ` +
          `names, so this would be read as "${key.toLowerCase()}")`,
      ),
    ];
  const text = value instanceof Secret ? value.reveal() : String(value);
  const unsafe = iniValueProblem(text);
  if (unsafe !== undefined) return [problemError(at, unsafe)];
  if (series === undefined) return [];
  const known = harborCfgKeys(series).get(key);
  if (known === undefined || known.read === "none") {
    return [problemWarning(at, `is not a key Harbor ${series}'s prepare reads: it is written to harbor.cfg but has no effect; check the spelling`)];
  }
  if (perNode && dbHeldSetting(series, key) !== undefined) {
    return [
      problemError(
        at,
        `Harbor ${series} keeps ${key} in its database after the first start, ` +
          `one value for every node: a per-node value cannot hold (the last node to write would win); ` +
          `set it cluster-wide in harbor.extra_cfg`,
      ),
    ];
  }
  if (perNode && SHARED_RELOADED_SETTINGS[series].includes(key)) {
    return [
      problemError(
        at,
        `Harbor ${series} keeps ${key} in its shared database, ` +
          `rewritten by each node as it starts: a per-node value ends as whatever the last node to start ` +
          `wrote; set it cluster-wide in harbor.extra_cfg`,
      ),
    ];
  }
  const bad = valueProblem(known, text);
  return bad === undefined ? [] : [problemError(at, bad)];
}

function valueProblem(k: HarborCfgKey, text: string): string | undefined {
  if (k.choices !== undefined && !k.choices.includes(text)) return `must be one of ${k.choices.map((c) => JSON.stringify(c)).join(", ")}`;
  if (k.type === "int" && !INTEGER.test(text)) return "must be a whole number (Harbor's adminserver does not start otherwise)";
  if (k.type === "bool" && !BOOLEAN.test(text)) return 'must be true/false or "on"/"off" (Harbor reads anything else as false)';
  return undefined;
}

/**
 * prepare reads ldap_search_pwd whenever ldap_searchdn is set: one without the other stops it.
 * Both are database-held settings, refused per node, so only harbor.extra_cfg can set them.
 */
function checkLdapSearchPair(extra: CfgMap): ProblemDraft[] {
  if (extra["ldap_searchdn"] === undefined || extra["ldap_search_pwd"] !== undefined) return [];
  return [
    problemError(
      ["harbor", "extra_cfg", "ldap_searchdn"],
      "needs ldap_search_pwd beside it: Harbor's prepare reads both when ldap_searchdn is set, and stops when one is missing",
    ),
  ];
}

/**
 * Every value of the other sections that lands in harbor.cfg must read back as itself through
 * Harbor's ConfigParser (formats/ini.ts): the secrets, the database and Clair users, Clair's
 * database, and the object store's parameters, which prepare also splits at "," and writes into
 * the registry's YAML.
 */
function checkRenderedValues(d: ParsedSections): ProblemDraft[] {
  const values: Array<{ at: PathSegment[]; value: unknown }> = [
    { at: ["harbor", "admin_password"], value: d.harbor?.admin_password },
    { at: ["database", "user"], value: d.database?.user },
    { at: ["database", "password"], value: d.database?.password },
    { at: ["clair_db", "user"], value: d.clair_db?.user },
    { at: ["clair_db", "password"], value: d.clair_db?.password },
    { at: ["clair_db", "database"], value: d.clair_db?.database },
  ];
  const problems: ProblemDraft[] = [];
  for (const { at, value } of values) {
    const text = value instanceof Secret ? value.reveal() : value;
    if (typeof text !== "string") continue;
    const bad = iniValueProblem(text);
    if (bad !== undefined) problems.push(problemError(at, `${bad} (it is written into harbor.cfg)`));
  }
  const storage = d.storage;
  if (storage?.type === "object_store") {
    for (const [key, raw] of Object.entries(storage.config ?? {})) {
      const value = raw instanceof Secret ? raw.reveal() : raw;
      if (value === undefined) continue;
      const bad = providerKeyProblem(key) ?? providerValueProblem(key, value);
      if (bad !== undefined)
        problems.push(problemError(["storage", "config", key], `${bad} (it is written into harbor.cfg's registry_storage_provider_config)`));
    }
  }
  return problems;
}

/**
 * harbor.yml for one Harbor 2.x node: what 2.15's prepare reads (utils/configs.py
 * parse_yaml_config), filled from the inventory. Every node gets the same text but its
 * header: the nodes are interchangeable behind the VIP.
 *
 * What it pins and why: external_database and external_redis, so that prepare's compose file
 * has neither bundled PostgreSQL nor Redis and all nodes share one of each; filesystem storage
 * under data_volume (the shared mount) or s3; job logs in the database (DB logger), since a
 * job runs on whichever node's jobservice takes it from Redis. Values are written as JSON
 * strings, which YAML reads back verbatim whatever characters a password holds.
 */
import {
  HARBOR2_CONFIG_VERSION,
  HARBOR2_DATA_VOLUME,
  HARBOR2_REDIS_DB,
  HARBOR2_REGISTRY_ROOT_IN_CONTAINER,
  SERVER_CERT_PATH,
  SERVER_KEY_PATH,
} from "./data/layout.js";
import { harbor2SeriesOf } from "../versions.js";
import type { Harbor2Inventory } from "../../inventory/model-v2.js";
import type { Harbor2RedisSpec } from "../../inventory/schema-v2.js";
import { Secret } from "../../inventory/secret.js";
import type { TemplateSet } from "../../desired/templates.js";

/** Per node and pool (core and jobservice each hold one): 2 nodes x 2 pools x 20 stays under PostgreSQL's default 100. */
const MAX_OPEN_CONNS = 20;
const MAX_IDLE_CONNS = 5;

/** Keys whose values are secrets, for masking in diffs (the "ini" syntax reads `key: value`). */
export function harbor2YmlSecretKeys(inv: Harbor2Inventory): string[] {
  const storage = inv.data.storage;
  const s3Secrets =
    storage.type === "object_store"
      ? Object.entries(storage.config)
          .filter(([, v]) => v instanceof Secret)
          .map(([k]) => k)
      : [];
  return ["harbor_admin_password", "password", ...s3Secrets];
}

export function renderHarbor2Yml(inv: Harbor2Inventory, nodeName: string, tpl: TemplateSet): string {
  const { cluster, harbor, database, redis, storage } = inv.data;
  const series = harbor2SeriesOf(cluster.harbor_version);
  const configVersion = series === undefined ? undefined : HARBOR2_CONFIG_VERSION[series];
  if (configVersion === undefined)
    throw new RangeError(`Harbor ${cluster.harbor_version}: no harbor.yml format known (the schema admits only supported releases)`);
  if (harbor.admin_password === undefined || database.password === undefined)
    throw new RangeError("a 2.x VM inventory has admin and database passwords (harbor2-checks.ts)");
  return tpl.harbor2Yml({
    harborVersion: cluster.harbor_version,
    nodeName,
    inventoryName: cluster.name,
    hostname: q(cluster.hostname),
    https: cluster.protocol === "https" ? { certificate: q(SERVER_CERT_PATH), privateKey: q(SERVER_KEY_PATH) } : undefined,
    adminPassword: q(harbor.admin_password.reveal()),
    database: {
      host: q(database.host),
      port: database.port,
      name: q(database.core_database),
      user: q(database.user),
      password: q(database.password.reveal()),
      sslmode: q(database.sslmode),
      maxIdleConns: MAX_IDLE_CONNS,
      maxOpenConns: MAX_OPEN_CONNS,
    },
    redis: {
      ...redisEndpoint(redis),
      username: redis.username === undefined ? undefined : q(redis.username),
      // prepare writes an empty password as no AUTH at all.
      password: q(redis.password?.reveal() ?? ""),
      db: HARBOR2_REDIS_DB,
    },
    dataVolume: HARBOR2_DATA_VOLUME,
    storage:
      storage.type === "object_store"
        ? {
            s3: Object.fromEntries(
              Object.entries(storage.config).map(([k, v]) => [k, v instanceof Secret ? q(v.reveal()) : typeof v === "string" ? q(v) : v]),
            ),
            filesystemRoot: undefined,
          }
        : { s3: undefined, filesystemRoot: HARBOR2_REGISTRY_ROOT_IN_CONTAINER },
    configVersion,
  });
}

/** external_redis.host: one host:port, or every sentinel's host:port with the master set's name. */
function redisEndpoint(redis: Harbor2RedisSpec): { host: string; sentinelMasterSet: string | undefined } {
  if (redis.sentinel !== undefined) {
    return { host: q(redis.sentinel.hosts.map((h) => `${h.host}:${h.port}`).join(",")), sentinelMasterSet: q(redis.sentinel.master_set) };
  }
  // Handlebars' strict mode wants every key the template names, even when it is empty.
  return { host: q(`${redis.host ?? ""}:${redis.port}`), sentinelMasterSet: undefined };
}

/** A YAML scalar that reads back as exactly this string. */
function q(value: string): string {
  return JSON.stringify(value);
}

/**
 * harbor.yml for one Harbor 2.x node: what prepare reads (utils/configs.py parse_yaml_config),
 * filled from the inventory, in the shape of the inventory's release line (data/lines/), and
 * written by a YAML serializer: whatever characters a value holds (`: `, `#`, quotes, a
 * newline), prepare's yaml.safe_load reads back exactly the inventory's value. Every node gets
 * the same text but its header: the nodes are interchangeable behind the VIP.
 *
 * What it pins and why: external_database and external_redis, so that prepare's compose file
 * has neither bundled PostgreSQL nor Redis and all nodes share one of each; filesystem storage
 * under data_volume (the shared mount) or s3; job logs in the database (DB logger), since a
 * job runs on whichever node's jobservice takes it from Redis.
 */
import { Document, isScalar, Scalar, visit } from "yaml";
import { HARBOR2_DATA_VOLUME, HARBOR2_REGISTRY_ROOT_IN_CONTAINER, SERVER_CERT_PATH, SERVER_KEY_PATH } from "./data/layout.js";
import { HARBOR2_DB_POOL, HARBOR2_FIXED_SETTINGS, HARBOR2_REDIS_DB, HARBOR2_REDIS_IDLE_TIMEOUT_SECONDS } from "./data/harbor-yml-settings.js";
import { harbor2LineOfValidVersion } from "../versions.js";
import type { Harbor2Inventory } from "../../inventory/model-v2.js";
import type { Harbor2RedisSpec } from "../../inventory/schema-v2.js";
import { Secret } from "../../inventory/secret.js";

/** Keys whose values are secrets, for masking in diffs (the "ini" syntax reads `key: value`; every value is on its key's line). */
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

/** harbor.yml as data: the mapping prepare reads, in the order of Harbor's own template. */
export function harbor2YmlDocument(inv: Harbor2Inventory): Record<string, unknown> {
  const { cluster, harbor, database, redis, storage } = inv.data;
  const line = harbor2LineOfValidVersion(cluster.harbor_version);
  if (harbor.admin_password === undefined || database.password === undefined)
    throw new RangeError("a 2.x VM inventory has admin and database passwords (harbor2-checks.ts)");
  return {
    hostname: cluster.hostname,
    http: { port: 80 },
    ...(cluster.protocol === "https" ? { https: { port: 443, certificate: SERVER_CERT_PATH, private_key: SERVER_KEY_PATH } } : {}),
    harbor_admin_password: harbor.admin_password.reveal(),
    // The shared PostgreSQL: prepare then leaves the bundled database out of docker-compose.yml.
    external_database: {
      harbor: {
        host: database.host,
        port: database.port,
        db_name: database.core_database,
        username: database.user,
        password: database.password.reveal(),
        ssl_mode: database.sslmode,
        // Each node holds a pool in core and one in jobservice: n x pools x max_open_conns stays under max_connections.
        ...HARBOR2_DB_POOL,
      },
    },
    // The shared Redis (or its Sentinels): prepare leaves the bundled Redis out too.
    external_redis: {
      ...redisEndpoint(redis),
      ...(redis.username === undefined ? {} : { username: redis.username }),
      // prepare writes an empty password as no AUTH at all.
      password: redis.password?.reveal() ?? "",
      registry_db_index: HARBOR2_REDIS_DB.registry,
      jobservice_db_index: HARBOR2_REDIS_DB.jobservice,
      trivy_db_index: HARBOR2_REDIS_DB.trivy,
      idle_timeout_seconds: HARBOR2_REDIS_IDLE_TIMEOUT_SECONDS,
    },
    data_volume: HARBOR2_DATA_VOLUME,
    storage_service:
      storage.type === "object_store"
        ? { s3: Object.fromEntries(Object.entries(storage.config).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v])) }
        : // <data_volume>/registry is the shared filesystem every node mounts.
          { filesystem: { rootdirectory: HARBOR2_REGISTRY_ROOT_IN_CONTAINER } },
    ...HARBOR2_FIXED_SETTINGS,
    _version: line.configVersion,
  };
}

/** A key YAML readers all read back as itself when written plain. */
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The file's text: the document, every string double-quoted on its key's line, with a header naming its source. */
export function renderHarbor2Yml(inv: Harbor2Inventory, nodeName: string): string {
  const doc = new Document(harbor2YmlDocument(inv));
  doc.commentBefore =
    ` harbor.yml for Harbor ${inv.data.cluster.harbor_version} on ${nodeName}, written by harbor-ha from ${inv.data.cluster.name}.\n` +
    " Harbor's prepare reads it on every install.sh; edit the inventory, not this file.";
  // Harbor's own prepare script reads data_volume with grep and awk (its line's last word), not as
  // YAML: quoted, the quotes would reach `docker run -v`. It is a fixed path, written plain.
  const dataVolume = doc.get("data_volume", true);
  if (isScalar(dataVolume)) dataVolume.type = Scalar.PLAIN;
  // Keys are written plain, Harbor's own are words; any other (an object store's parameter names
  // come from the inventory) double-quoted: plain, a tab in it stops PyYAML's scanner.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === "string" && !PLAIN_KEY.test(pair.key.value)) pair.key.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // Double quotes keep a newline as \n on the value's own line (a block scalar would spread a
  // secret over lines the diff's masking does not see); no folding, for the same reason.
  return doc.toString({ defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0, minContentWidth: 0 });
}

/** external_redis.host: one host:port, or every sentinel's host:port with the master set's name. */
function redisEndpoint(redis: Harbor2RedisSpec): { host: string; sentinel_master_set?: string } {
  if (redis.sentinel !== undefined)
    return { host: redis.sentinel.hosts.map((h) => `${h.host}:${h.port}`).join(","), sentinel_master_set: redis.sentinel.master_set };
  return { host: `${redis.host ?? ""}:${redis.port}` };
}

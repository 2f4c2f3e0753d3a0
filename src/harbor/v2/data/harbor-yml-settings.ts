/**
 * The part of harbor.yml that no inventory value fills in: the settings harbor-ha gives every
 * node of every 2.x line, as YAML data (harbor-yml.ts adds the inventory's values and the
 * line's `_version`, and a YAML serializer writes the whole). The keys are those of Harbor's
 * harbor.yml.tmpl, the same in every line harbor-ha installs; a line whose template differs
 * says so in its own data (lines/).
 */

/** Per node and pool (core and jobservice each hold one): 2 nodes x 2 pools x 20 stays under PostgreSQL's default 100. */
export const HARBOR2_DB_POOL = { max_idle_conns: 5, max_open_conns: 20 } as const;

/** The Redis databases Harbor 2.x gives each component (core uses 0, which is not configurable). */
export const HARBOR2_REDIS_DB = { registry: 1, jobservice: 2, trivy: 5 } as const;

/** external_redis's idle timeout, as Harbor's template ships it. */
export const HARBOR2_REDIS_IDLE_TIMEOUT_SECONDS = 30;

/** Everything after storage_service, in the template's order. */
export const HARBOR2_FIXED_SETTINGS = {
  trivy: {
    ignore_unfixed: false,
    skip_update: false,
    skip_java_db_update: false,
    offline_scan: false,
    security_check: "vuln",
    insecure: false,
    timeout: "5m0s",
  },
  jobservice: {
    max_job_workers: 10,
    max_job_duration_hours: 24,
    // Job logs in the database: a job may run on any node, and its log is read through any node.
    job_loggers: ["STD_OUTPUT", "DB"],
    logger_sweeper_duration: 1,
  },
  notification: { webhook_job_max_retry: 3, webhook_job_http_client_timeout: 3 },
  log: { level: "info", local: { rotate_count: 50, rotate_size: "200M", location: "/var/log/harbor" } },
  upload_purging: { enabled: true, age: "168h", interval: "24h", dryrun: false },
  cache: { enabled: false, expire_hours: 24 },
} as const;

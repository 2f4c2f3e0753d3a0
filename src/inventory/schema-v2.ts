/**
 * The inventory of a Harbor 2.x cluster (cluster.harbor_version of a line in harbor/v2/data/lines/). It shares the
 * 1.x inventory's cluster, ssh, host and TLS sections and differs where Harbor 2 does:
 * PostgreSQL instead of MariaDB, Redis with AUTH or Sentinel, Trivy instead of Clair, S3 or a
 * Kubernetes claim for storage, and a `kubernetes:` section for `helm-values`.
 *
 * The VM sections (load_balancers, keepalived, harbor_nodes, installer) are optional here: a
 * Kubernetes inventory has no VMs; harbor2-checks.ts requires them when there is no kubernetes section.
 * Keys of the other generation are refused with the reason (foreignKey), not "unknown key".
 */
import { z } from "zod";
import { harbor2LineOf, SUPPORTED_HARBOR2_VERSIONS_TEXT } from "../harbor/versions.js";
import { kubernetesName, kubernetesSection, storageSize } from "./kubernetes-schema.js";
import { buildFieldSchemas, buildInventorySchema, endpointHost, foreignKey, port } from "./schema.js";
import type { SourceResolver } from "./schema.js";

const MARIADB_ONLY =
  "is a MariaDB setting of Harbor 1.4/1.5; Harbor 2.x uses PostgreSQL (host, port, user, password, core_database, sslmode): remove it";

/** PostgreSQL's sslmode values that Harbor 2's core passes to its driver. */
export const POSTGRES_SSLMODES = ["disable", "require", "verify-ca", "verify-full"] as const;

export function buildHarbor2InventorySchema(resolve: SourceResolver) {
  const { secret } = buildFieldSchemas(resolve);
  const v1 = buildInventorySchema(resolve).shape;

  const cluster = v1.cluster.extend({
    /** Only the VMs' load balancers hold a VIP; on Kubernetes the ingress is the entry point. */
    vip: v1.cluster.shape.vip.optional(),
    harbor_version: z
      .string()
      .refine(
        (v) => harbor2LineOf(v) !== undefined,
        `must be a release of a Harbor line harbor-ha knows, ${SUPPORTED_HARBOR2_VERSIONS_TEXT} (such as 2.15.1): ` +
          "the lines whose harbor.yml and Helm chart it checks; other 2.x releases are refused",
      ),
  });

  const harbor = z
    .strictObject({
      /** The admin's initial password; optional when kubernetes.existing_secrets.admin_password names a secret holding it. */
      admin_password: secret().optional(),
      /** Trivy, Harbor 2's vulnerability scanner. */
      with_trivy: z.boolean().default(true),
      with_clair: foreignKey("is a Harbor 1.x setting: Harbor 2.x has no Clair; its scanner is Trivy (harbor.with_trivy)"),
      extra_cfg: foreignKey("holds harbor.cfg keys, which only Harbor 1.x reads: remove it"),
    })
    // Every field has a default or may come from an existing secret: the section may be left out.
    .prefault({});

  const database = z.strictObject({
    host: endpointHost,
    port: port.default(5432),
    user: z.string().min(1),
    /** Optional when kubernetes.existing_secrets.database names a secret holding it. */
    password: secret().optional(),
    /** The database Harbor's core uses. */
    core_database: z.string().min(1).default("registry"),
    sslmode: z.enum(POSTGRES_SSLMODES).default("disable"),
    /**
     * VMs: whether provision may CREATE the empty core_database when it is missing. Off by
     * default, so that a typo in the name is reported instead of starting an empty registry.
     */
    create: z.boolean().default(false),
    registry_sql: foreignKey(MARIADB_ONLY),
    tunnel_via: foreignKey(MARIADB_ONLY),
  });

  const sentinel = z.strictObject({
    /** The name of the master set the sentinels watch (sentinel.conf's `sentinel monitor <name> …`). */
    master_set: z.string().min(1),
    hosts: z.array(z.strictObject({ host: endpointHost, port: port.default(26379) })).min(1, "needs at least 1 sentinel"),
  });

  const redis = z
    .strictObject({
      /** A plain Redis; or give `sentinel` instead. */
      host: endpointHost.optional(),
      port: port.default(6379),
      sentinel: sentinel.optional(),
      /** Redis 6 ACL user, when AUTH needs one. */
      username: z.string().min(1).optional(),
      password: secret().optional(),
      db_index: foreignKey(
        "is a Harbor 1.x setting: Harbor 2.x gives each component its own Redis database (core 0, jobservice 1, registry 2, trivy 5): remove it",
      ),
    })
    .superRefine((r, ctx) => {
      if (r.host === undefined && r.sentinel === undefined)
        ctx.addIssue({ code: "custom", path: ["host"], message: "is required: give host (a plain Redis) or sentinel (master_set and hosts)" });
      if (r.host !== undefined && r.sentinel !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["sentinel"],
          message: "cannot be given with host: give host for a plain Redis or sentinel for Redis Sentinel, not both",
        });
    });

  // Harbor 2.x keeps job logs in the database: an NFS export for them is not needed.
  const vmStorage = v1.storage.options
    .filter((o) => o.shape.type.value !== "object_store")
    .map((o) => ("job_logs_export" in o.shape ? o.extend({ job_logs_export: o.shape.job_logs_export.optional() }) : o));
  const storage = z.discriminatedUnion(
    "type",
    [
      ...(vmStorage as [(typeof vmStorage)[number], ...(typeof vmStorage)[number][]]),
      z.strictObject({
        type: z.literal("object_store"),
        provider: z.literal("s3", { error: 'must be "s3": the object store harbor-ha supports for Harbor 2.x' }),
        /** The registry's storage driver settings (region, bucket, regionendpoint, accesskey, secretkey, …); values may be secrets. */
        config: z.record(z.string(), z.union([z.number(), z.boolean(), secret()])),
      }),
      z.strictObject({
        /** Kubernetes: one ReadWriteMany claim the registry replicas share. */
        type: z.literal("pvc"),
        storage_class: kubernetesName.optional(),
        existing_claim: kubernetesName.optional(),
        size: storageSize.default("200Gi"),
      }),
    ],
    { error: 'must be "pvc" (Kubernetes), "object_store", "nfs" or "mounted"' },
  );

  /** `harbor-ha upgrade`'s settings. */
  const upgrade = z.strictObject({
    /**
     * A folder on the machine running harbor-ha where the upgrade keeps its database backup
     * (pg_dump custom format, with a .sha256): relative paths start at the inventory's folder.
     * Checked for room and writability when an upgrade starts.
     */
    backup_dir: z
      .string({ error: "must be a folder path" })
      .min(1, "must not be empty")
      .transform((raw, ctx) => {
        const r = resolve.localFile(raw, "run");
        if (!r.ok) {
          ctx.addIssue({ code: "custom", message: r.message });
          return z.NEVER;
        }
        return r.value;
      }),
  });

  return z.strictObject({
    cluster,
    ssh: v1.ssh,
    load_balancers: v1.load_balancers.optional(),
    load_balancing: v1.load_balancing,
    keepalived: v1.keepalived.optional(),
    haproxy: v1.haproxy,
    harbor_nodes: v1.harbor_nodes.optional(),
    installer: v1.installer.optional(),
    harbor,
    database,
    redis,
    storage,
    tls: v1.tls,
    kubernetes: kubernetesSection.optional(),
    upgrade: upgrade.optional(),
    clair_db: foreignKey("is a Harbor 1.x section: Harbor 2.x has no Clair (its scanner is Trivy, harbor.with_trivy): remove it"),
  });
}

/** A Harbor 2.x inventory as parsed. */
export type Harbor2InventoryData = z.output<ReturnType<typeof buildHarbor2InventorySchema>>;
export type Harbor2StorageSpec = Harbor2InventoryData["storage"];
export type Harbor2RedisSpec = Harbor2InventoryData["redis"];

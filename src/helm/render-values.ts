/**
 * A Harbor 2.x inventory → values for goharbor/harbor-helm, pure. Secrets stay Secret objects
 * here (they print as [redacted]); only format-values.ts reveals them, into the file.
 *
 * What it pins, so that two renders are identical and an upgrade restarts nothing: every
 * secret the chart would otherwise generate (core, CSRF, job service, registry, the registry's
 * htpasswd, the token key pair) comes from the state folder, unless the inventory names an
 * existing Kubernetes secret for it, in which case only the name is written. What makes it HA:
 * external PostgreSQL and Redis, at least 2 replicas per stateless component, job logs in the
 * database (no per-pod log volume), and image data on a ReadWriteMany claim or S3. Which
 * Harbor: every image tag is the inventory's harbor_version, not the chart's appVersion.
 */
import { InternalError } from "../errors.js";
import { HARBOR_RELEASE_IMAGES, REGISTRY_CREDENTIALS_USER } from "../harbor/helm-chart.js";
import type { ClusterState } from "../inventory/model.js";
import type { Harbor2Inventory } from "../inventory/model-v2.js";
import type { KubernetesSpec } from "../inventory/kubernetes-schema.js";
import type { Harbor2InventoryData } from "../inventory/schema-v2.js";
import { Secret } from "../inventory/secret.js";
import type { ChartSecrets } from "../inventory/model.js";

export type HelmValue = string | number | boolean | Secret | HelmValue[] | HelmValues;
export interface HelmValues {
  [key: string]: HelmValue;
}

/** The state the values pin: the state folder's 1.x-era files (secretkey, token pair) and the chart's own. */
export interface PinnedSecrets {
  cluster: ClusterState;
  chart: ChartSecrets;
}

/** The values harbor-ha writes, before any kubernetes.values passthrough is merged in. */
export function renderHelmValues(inv: Harbor2Inventory, pinned: PinnedSecrets): HelmValues {
  const d = inv.data;
  const k8s = d.kubernetes;
  if (k8s === undefined) throw new InternalError("renderHelmValues needs the kubernetes section; the inventory checks require it");
  const existing = k8s.existing_secrets;
  const values: HelmValues = {
    expose: renderExpose(d, k8s),
    externalURL: `${d.cluster.protocol}://${k8s.ingress.host ?? d.cluster.hostname}`,
    persistence: renderPersistence(d, k8s),
    ...(existing.admin_password !== undefined
      ? { existingSecretAdminPassword: existing.admin_password }
      : { harborAdminPassword: required(d.harbor.admin_password, "harbor.admin_password") }),
    ...(existing.secret_key !== undefined ? { existingSecretSecretKey: existing.secret_key } : { secretKey: pinned.cluster.secretkey }),
    core: {
      replicas: k8s.replicas.core,
      ...(existing.core_secret !== undefined ? { existingSecret: existing.core_secret } : { secret: pinned.chart.coreSecret }),
      ...(existing.core_token !== undefined
        ? { secretName: existing.core_token }
        : { tokenKey: pinned.cluster.tokenPrivateKey, tokenCert: pinned.cluster.tokenCertificatePem }),
      ...(existing.csrf_key !== undefined ? { existingXsrfSecret: existing.csrf_key } : { xsrfKey: pinned.chart.csrfKey }),
    },
    portal: { replicas: k8s.replicas.portal },
    jobservice: {
      replicas: k8s.replicas.jobservice,
      // In the database, every replica writes and reads the same logs; "file" would need a
      // volume per pod, or one RWX volume, for logs that then depend on which pod ran the job.
      jobLoggers: ["database"],
      ...(existing.jobservice_secret !== undefined ? { existingSecret: existing.jobservice_secret } : { secret: pinned.chart.jobserviceSecret }),
    },
    registry: {
      replicas: k8s.replicas.registry,
      ...(existing.registry_http_secret !== undefined
        ? { existingSecret: existing.registry_http_secret }
        : { secret: pinned.chart.registryHttpSecret }),
      credentials:
        existing.registry_credentials !== undefined
          ? { existingSecret: existing.registry_credentials }
          : { username: REGISTRY_CREDENTIALS_USER, password: pinned.chart.registryPassword, htpasswdString: pinned.chart.registryHtpasswd },
    },
    trivy: d.harbor.with_trivy ? { enabled: true, replicas: k8s.replicas.trivy } : { enabled: false },
    database: { type: "external", external: renderDatabase(d, existing.database) },
    redis: { type: "external", external: renderRedis(d, existing.redis) },
  };
  // The chart's own tags are its appVersion: another patch release than the inventory's.
  for (const path of HARBOR_RELEASE_IMAGES) setIn(values, [...path, "image", "tag"], `v${d.cluster.harbor_version}`);
  return values;
}

/** Sets a value at a path, making the mappings on the way. */
function setIn(values: HelmValues, path: readonly string[], value: HelmValue): void {
  const [key, ...rest] = path;
  if (key === undefined) return;
  if (rest.length === 0) {
    values[key] = value;
    return;
  }
  const next = values[key];
  const child: HelmValues = typeof next === "object" && !Array.isArray(next) && !(next instanceof Secret) ? next : {};
  values[key] = child;
  setIn(child, rest, value);
}

function renderExpose(d: Harbor2InventoryData, k8s: KubernetesSpec): HelmValues {
  const https = d.cluster.protocol === "https";
  const tlsSecret = k8s.ingress.tls_secret;
  return {
    type: "ingress",
    // "auto" would make a new self-signed certificate on every render: never used.
    tls:
      https && tlsSecret !== undefined
        ? { enabled: true, certSource: "secret", secret: { secretName: tlsSecret } }
        : { enabled: false, certSource: "none" },
    ingress: {
      hosts: { core: k8s.ingress.host ?? d.cluster.hostname },
      ...(k8s.ingress.class_name !== undefined ? { className: k8s.ingress.class_name } : {}),
    },
  };
}

function renderPersistence(d: Harbor2InventoryData, k8s: KubernetesSpec): HelmValues {
  const storage = d.storage;
  const claims: HelmValues = {};
  if (storage.type === "pvc") {
    // One claim mounted by every registry replica: it must be ReadWriteMany.
    const storageClass = storage.existing_claim === undefined ? (storage.storage_class ?? k8s.storage_class) : undefined;
    claims["registry"] = {
      accessMode: "ReadWriteMany",
      size: storage.size,
      ...(storage.existing_claim !== undefined ? { existingClaim: storage.existing_claim } : {}),
      ...(storageClass !== undefined ? { storageClass } : {}),
    };
  }
  // Trivy runs as a StatefulSet: each replica gets its own cache claim, so ReadWriteOnce is right there.
  if (d.harbor.with_trivy && k8s.storage_class !== undefined) claims["trivy"] = { storageClass: k8s.storage_class };
  return {
    enabled: true,
    // The registry's claim outlives `helm uninstall`: it holds every image.
    resourcePolicy: "keep",
    ...(Object.keys(claims).length > 0 ? { persistentVolumeClaim: claims } : {}),
    imageChartStorage: storage.type === "object_store" ? renderS3(storage.config, k8s.existing_secrets.s3) : { type: "filesystem" },
  };
}

/** The inventory's s3 config is the registry's own driver keys, which the chart takes under the same names. */
function renderS3(config: Record<string, number | boolean | Secret>, existingSecret: string | undefined): HelmValues {
  const s3: HelmValues = {};
  for (const [key, value] of Object.entries(config)) {
    if (existingSecret !== undefined && (key === "accesskey" || key === "secretkey")) continue;
    s3[key] = value;
  }
  if (existingSecret !== undefined) s3["existingSecret"] = existingSecret;
  return { type: "s3", s3 };
}

function renderDatabase(d: Harbor2InventoryData, existingSecret: string | undefined): HelmValues {
  const db = d.database;
  return {
    host: db.host,
    // The chart's default is a string, and its templates quote it.
    port: String(db.port),
    username: db.user,
    ...(existingSecret !== undefined ? { existingSecret } : { password: required(db.password, "database.password") }),
    coreDatabase: db.core_database,
    sslmode: db.sslmode,
  };
}

function renderRedis(d: Harbor2InventoryData, existingSecret: string | undefined): HelmValues {
  const r = d.redis;
  const addr = r.sentinel !== undefined ? r.sentinel.hosts.map((h) => `${h.host}:${h.port}`).join(",") : `${r.host ?? ""}:${r.port}`;
  return {
    addr,
    ...(r.sentinel !== undefined ? { sentinelMasterSet: r.sentinel.master_set } : {}),
    ...(r.username !== undefined ? { username: r.username } : {}),
    ...(existingSecret !== undefined ? { existingSecret } : r.password !== undefined ? { password: r.password } : {}),
  };
}

/** A secret the inventory checks made sure of (given, or an existing secret named instead). */
function required(secret: Secret | undefined, field: string): Secret {
  if (secret === undefined) throw new InternalError(`${field} is missing although the inventory checks require it`);
  return secret;
}

/**
 * What harbor-ha knows of goharbor/harbor-helm, the chart `helm-values` writes values for: the
 * fixed names its templates give things (secret keys it reads from existing secrets, the
 * images that carry Harbor's release). Which chart line deploys which Harbor line is each
 * line's data (v2/data/lines/). Data only; the tests check each name against every chart
 * line's real chart in ../shared/harbor/.
 */

/**
 * The chart's images whose tag is Harbor's release (values.yaml `<path>.image.tag: v<appVersion>`),
 * by value path. helm-values sets each to the inventory's harbor_version, so that the chart
 * deploys exactly that release, not its own appVersion.
 */
export const HARBOR_RELEASE_IMAGES: readonly (readonly string[])[] = [
  ["portal"],
  ["core"],
  ["jobservice"],
  ["registry", "registry"],
  ["registry", "controller"],
  ["trivy"],
  // Not deployed unless metrics are enabled, which kubernetes.values may do.
  ["exporter"],
];

/**
 * The chart's other Harbor-tagged images, which harbor-ha's values never deploy: the bundled
 * PostgreSQL and Redis (the inventory's are external, and kubernetes.values may not change
 * that) and the chart's nginx (the ingress is the entry point, likewise fixed).
 */
export const HARBOR_IMAGES_NOT_DEPLOYED: readonly (readonly string[])[] = [["nginx"], ["database", "internal"], ["redis", "internal"]];

/** The user the chart's registry credentials name by default (registry.credentials.username). */
export const REGISTRY_CREDENTIALS_USER = "harbor_registry_user";

/**
 * The keys the chart's templates read from an existing Kubernetes secret, per reference:
 * what the operator must put in the secret they name.
 */
export const EXISTING_SECRET_KEYS = {
  admin_password: ["HARBOR_ADMIN_PASSWORD"],
  secret_key: ["secretKey"],
  core_secret: ["secret"],
  core_token: ["tls.crt", "tls.key"],
  csrf_key: ["CSRF_KEY"],
  jobservice_secret: ["JOBSERVICE_SECRET"],
  registry_http_secret: ["REGISTRY_HTTP_SECRET"],
  registry_credentials: ["REGISTRY_PASSWD", "REGISTRY_HTPASSWD"],
  database: ["password"],
  redis: ["REDIS_PASSWORD"],
  s3: ["REGISTRY_STORAGE_S3_ACCESSKEY", "REGISTRY_STORAGE_S3_SECRETKEY"],
} as const;

export type ExistingSecretRef = keyof typeof EXISTING_SECRET_KEYS;

/**
 * What harbor-ha knows of goharbor/harbor-helm, the chart `helm-values` writes values for:
 * the chart release it targets and the Harbor it deploys, and the fixed names its templates
 * give things (secret keys it reads from existing secrets). Data only; the tests check each
 * name against the real chart in ../shared/harbor/.
 */

/** The chart release whose values.yaml the generated values are written for (no values.schema.json). */
export const HELM_CHART_VERSION = "1.19.1";
/** Its appVersion: the Harbor it deploys. */
export const HELM_CHART_APP_VERSION = "2.15.1";

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

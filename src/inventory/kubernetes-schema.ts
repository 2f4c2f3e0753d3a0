/**
 * The `kubernetes:` section of a Harbor 2.x inventory, read only by `helm-values`: how the
 * chart exposes Harbor (ingress class, TLS secret), where it keeps volumes (storage class),
 * how many replicas each stateless component runs, which secrets already exist in the cluster
 * (referenced instead of values pinned from the state folder), and chart values passed through.
 */
import { z } from "zod";
import { EXISTING_SECRET_KEYS } from "../harbor/helm-chart.js";
import type { ExistingSecretRef } from "../harbor/helm-chart.js";

/** A Kubernetes object name (DNS subdomain, RFC 1123), as secrets, claims and classes have. */
export const kubernetesName = z
  .string({ error: "must be a Kubernetes object name" })
  .max(253, "must be at most 253 characters long")
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a Kubernetes object name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
  );

/** A Kubernetes resource quantity such as 200Gi. */
export const storageSize = z
  .string({ error: "must be a size such as 200Gi" })
  .regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, "must be a size such as 200Gi or 1Ti");

/** The components that keep no state of their own: each runs at least 2 replicas, as the HA layout needs. */
export const STATELESS_COMPONENTS = ["core", "portal", "registry", "jobservice", "trivy"] as const;
export type StatelessComponent = (typeof STATELESS_COMPONENTS)[number];

export const DEFAULT_REPLICAS = 2;

const replicaCount = (component: string) =>
  z
    .number({ error: "must be a whole number of replicas" })
    .int("must be a whole number of replicas")
    .min(2, `must be at least 2: a single ${component} replica is a single point of failure, which the HA layout exists to avoid`)
    .max(100, "must be at most 100")
    .default(DEFAULT_REPLICAS);

const existingSecrets = z.strictObject(
  Object.fromEntries((Object.keys(EXISTING_SECRET_KEYS) as ExistingSecretRef[]).map((ref) => [ref, kubernetesName.optional()])) as Record<
    ExistingSecretRef,
    z.ZodOptional<typeof kubernetesName>
  >,
);

export const kubernetesSection = z.strictObject({
  ingress: z
    .strictObject({
      /** expose.ingress.className: the ingress controller's class (nginx, traefik, …); the cluster default when absent. */
      class_name: kubernetesName.optional(),
      /** The host the ingress serves; cluster.hostname when absent. */
      host: z
        .string()
        .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "must be a lowercase DNS name")
        .optional(),
      /** A kubernetes.io/tls secret holding the certificate for the host; required with protocol https. */
      tls_secret: kubernetesName.optional(),
    })
    .default({}),
  /** The storage class of the volumes the chart creates per pod (Trivy's cache) and of a storage.type pvc claim. */
  storage_class: kubernetesName.optional(),
  replicas: z
    .strictObject(
      Object.fromEntries(STATELESS_COMPONENTS.map((c) => [c, replicaCount(c)])) as Record<StatelessComponent, ReturnType<typeof replicaCount>>,
    )
    .default({
      core: DEFAULT_REPLICAS,
      portal: DEFAULT_REPLICAS,
      registry: DEFAULT_REPLICAS,
      jobservice: DEFAULT_REPLICAS,
      trivy: DEFAULT_REPLICAS,
    }),
  /** Secrets that already exist in the release's namespace, referenced instead of values from the state folder. */
  existing_secrets: existingSecrets.default({}),
  /** Further chart values, merged in as they are; each key must exist in the chart's values.yaml. */
  values: z.record(z.string(), z.unknown()).default({}),
});

export type KubernetesSpec = z.output<typeof kubernetesSection>;

/**
 * The rules of a Harbor 2.x inventory that span sections: what the `kubernetes:` section
 * needs from the rest (a TLS secret for https, storage the pods can share), and secrets that
 * may be left out only when an existing Kubernetes secret holds them. Pure, over the sections
 * that parsed, like checks.ts.
 */
import type { Salvaged } from "./parsed-sections.js";
import { problemError, problemWarning } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";
import type { Harbor2InventoryData } from "./schema-v2.js";

export type Harbor2Sections = Salvaged<Harbor2InventoryData>;

export function checkHarbor2Inventory(d: Harbor2Sections, present: ReadonlySet<string>): ProblemDraft[] {
  return [...checkTarget(d, present), ...checkKubernetes(d, present), ...checkSecretsGiven(d, present), ...checkObjectStore(d)];
}

/** A 2.x inventory is for Kubernetes today; VM sections are kept for when 2.x on VMs exists. */
function checkTarget(d: Harbor2Sections, present: ReadonlySet<string>): ProblemDraft[] {
  if (!present.has("kubernetes")) {
    return [
      problemError(
        ["kubernetes"],
        "is required for Harbor 2.x: harbor-ha deploys Harbor 2.x through its Helm chart (harbor-ha helm-values); installing 2.x on VMs is not implemented yet. Add a kubernetes section (see inventory/example-helm.yaml)",
        ["cluster", "harbor_version"],
      ),
    ];
  }
  const vmSections = ["load_balancers", "keepalived", "harbor_nodes", "installer"].filter((s) => present.has(s));
  if (vmSections.length === 0 || d.cluster === undefined) return [];
  return [problemWarning([vmSections[0] ?? "harbor_nodes"], `${vmSections.join(", ")}: not used for Harbor 2.x yet (installing 2.x on VMs is not implemented; helm-values ignores them)`)];
}

function checkKubernetes(d: Harbor2Sections, present: ReadonlySet<string>): ProblemDraft[] {
  const k8s = d.kubernetes;
  if (!present.has("kubernetes") || k8s === undefined) return [];
  const problems: ProblemDraft[] = [];
  if (d.cluster?.protocol === "https" && k8s.ingress?.tls_secret === undefined && k8s.ingress !== undefined) {
    problems.push(
      problemError(
        ["kubernetes", "ingress", "tls_secret"],
        `is required with protocol https: without it the chart generates a new self-signed certificate on every render (every upgrade would change it). Create a kubernetes.io/tls secret for ${k8s.ingress.host ?? d.cluster.hostname ?? "the hostname"} (kubectl create secret tls NAME --cert=… --key=…) and name it here`,
        ["kubernetes"],
      ),
    );
  }
  if (d.cluster?.protocol === "http" && k8s.ingress?.tls_secret !== undefined) {
    problems.push(problemWarning(["kubernetes", "ingress", "tls_secret"], "is not used with protocol http: the ingress serves plain HTTP; set cluster.protocol: https to use it"));
  }
  const type = d.storage?.type;
  if (type === "nfs" || type === "mounted") {
    problems.push(
      problemError(
        ["storage", "type"],
        `"${type}" describes shared storage mounted on VMs, which pods cannot use; on Kubernetes use type: pvc (a ReadWriteMany claim shared by the registry replicas) or type: object_store (s3)`,
      ),
    );
  }
  if (d.storage?.type === "pvc" && d.storage.existing_claim !== undefined && d.storage.storage_class !== undefined) {
    problems.push(problemWarning(["storage", "storage_class"], "is not used with existing_claim: the claim already has its class; remove one of them"));
  }
  return problems;
}

/** Secrets the chart needs: from the inventory, or from a secret that already exists in the cluster. */
function checkSecretsGiven(d: Harbor2Sections, present: ReadonlySet<string>): ProblemDraft[] {
  const existing = d.kubernetes?.existing_secrets ?? {};
  const needed: Array<[PathSegment[], boolean, string | undefined, string]> = [
    [["harbor", "admin_password"], d.harbor !== undefined && d.harbor.admin_password === undefined, existing.admin_password, "admin_password"],
    [["database", "password"], d.database !== undefined && d.database.password === undefined, existing.database, "database"],
  ];
  // A section that failed to parse has its own errors; a missing key in it is reported by them.
  return needed
    .filter(([at, missing, ref]) => missing && ref === undefined && present.has(String(at[0])))
    .map(([at, , , ref]) => problemError(at, `is required: give it (a value, \${env:NAME} or \${file:path}), or name an existing Kubernetes secret in kubernetes.existing_secrets.${ref}`));
}

/**
 * The registry's s3 driver needs a bucket and a region; the chart's placeholders would otherwise
 * be used. Keys an existing secret supplies are left out of the values: say so.
 */
function checkObjectStore(d: Harbor2Sections): ProblemDraft[] {
  const config = d.storage?.type === "object_store" ? d.storage.config : undefined;
  if (config === undefined) return [];
  const missing = ["bucket", "region"]
    .filter((key) => config[key] === undefined)
    .map((key) => problemError(["storage", "config", key], `is required for s3: without it the chart's placeholder ("${key === "bucket" ? "bucketname" : "us-west-1"}") would be used`, ["storage", "config"]));
  const secretName = d.kubernetes?.existing_secrets?.s3;
  const unused = secretName === undefined ? [] : ["accesskey", "secretkey"].filter((key) => config[key] !== undefined);
  return [...missing, ...unused.map((key) => problemWarning(["storage", "config", key], `is not written to the chart's values: kubernetes.existing_secrets.s3 (${secretName}) supplies it`))];
}

/**
 * The rules of a Harbor 2.x inventory that span sections: what the `kubernetes:` section
 * needs from the rest (a TLS secret for https, storage the pods can share), what the VM
 * sections need (a VIP, shared storage, no harbor.cfg keys), and secrets that may be left out
 * only when an existing Kubernetes secret holds them. Pure, over the sections
 * that parsed, like checks.ts.
 */
import { HARBOR2_DATA_VOLUME, HARBOR2_REGISTRY_DATA_PATH } from "../harbor/v2/data/layout.js";
import { checkVmTopology } from "./checks.js";
import { checkInstallDir } from "./path-checks.js";
import { checkVipAddress } from "./address-checks.js";
import type { Salvaged } from "./parsed-sections.js";
import { problemError, problemWarning } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";
import type { Harbor2InventoryData } from "./schema-v2.js";

export type Harbor2Sections = Salvaged<Harbor2InventoryData>;

/**
 * Where a 2.x inventory puts Harbor: on Kubernetes (helm-values) or on VMs (provision and the
 * other VM commands). validate infers it from the kubernetes section; helm-values asks for "kubernetes".
 */
export type Harbor2Target = "kubernetes" | "vms";

export function harbor2TargetOf(present: ReadonlySet<string>): Harbor2Target {
  return present.has("kubernetes") ? "kubernetes" : "vms";
}

export function checkHarbor2Inventory(
  d: Harbor2Sections,
  present: ReadonlySet<string>,
  complete: ReadonlySet<string>,
  target: Harbor2Target = harbor2TargetOf(present),
): ProblemDraft[] {
  const byTarget = target === "kubernetes" ? [...checkKubernetesTarget(present), ...checkKubernetes(d, present)] : checkVms(d, present, complete);
  return [...byTarget, ...checkSecretsGiven(d, present, target), ...checkObjectStore(d)];
}

function checkKubernetesTarget(present: ReadonlySet<string>): ProblemDraft[] {
  if (present.has("kubernetes")) return [];
  return [
    problemError(
      ["kubernetes"],
      "is required by helm-values: it describes how Harbor's Helm chart runs (ingress, replicas, storage class); " +
        "add a kubernetes section (see inventory/example-helm.yaml), or install on the VMs of this inventory with provision",
      ["cluster", "harbor_version"],
    ),
  ];
}

const VM_SECTIONS = ["load_balancers", "keepalived", "harbor_nodes", "installer"] as const;

/** Harbor 2.x on VMs: the same VM sections as 1.x, storage the VMs can share, no harbor.cfg keys. */
function checkVms(d: Harbor2Sections, present: ReadonlySet<string>, complete: ReadonlySet<string>): ProblemDraft[] {
  const missing = VM_SECTIONS.filter((s) => !present.has(s));
  if (missing.length === VM_SECTIONS.length && present.has("kubernetes")) {
    const message =
      "describes Harbor on Kubernetes, and this command installs Harbor on VMs: " +
      `run \`harbor-ha helm-values\` with this inventory, or add the VM sections (${VM_SECTIONS.join(", ")}; see inventory/example-v2-vms.yaml)`;
    return [problemError(["kubernetes"], message)];
  }
  if (missing.length === VM_SECTIONS.length) {
    const message =
      `or the VM sections (${VM_SECTIONS.join(", ")}) are required: ` +
      "a kubernetes section to deploy Harbor 2.x with harbor-ha helm-values (see inventory/example-helm.yaml), " +
      "the VM sections to install it on VMs with provision (see inventory/example-v2-vms.yaml)";
    return [problemError(["kubernetes"], message, ["cluster", "harbor_version"])];
  }
  const problems: ProblemDraft[] = missing.map((s) =>
    problemError(
      [s],
      "is required to install Harbor 2.x on VMs (or add a kubernetes section to deploy it with harbor-ha helm-values); " +
        "see inventory/example-v2-vms.yaml",
      ["cluster", "harbor_version"],
    ),
  );
  if (d.cluster !== undefined && d.cluster.vip === undefined && present.has("load_balancers")) {
    problems.push(
      problemError(
        ["cluster", "vip"],
        "is required on VMs: the load balancers hold it (keepalived) and clients reach Harbor through it; " +
          "give an address/prefix such as 10.0.0.10/24",
        ["cluster"],
      ),
    );
  }
  problems.push(...checkVmTopology(d as Parameters<typeof checkVmTopology>[0], complete));
  problems.push(...checkInstallDir(d.installer?.install_dir, [HARBOR2_REGISTRY_DATA_PATH]));
  problems.push(
    ...checkVipAddress(d.cluster?.vip, [
      { at: ["database", "host"], host: d.database?.host },
      { at: ["redis", "host"], host: d.redis?.host },
      ...(d.redis?.sentinel?.hosts ?? []).map((h, i) => ({ at: ["redis", "sentinel", "hosts", i, "host"], host: h?.host })),
      { at: ["storage", "server"], host: d.storage?.type === "nfs" ? d.storage.server : undefined },
      { at: ["ssh", "jump_host", "address"], host: d.ssh?.jump_host ? d.ssh.jump_host.address : undefined },
    ]),
  );
  (d.harbor_nodes ?? []).forEach((n, i) => {
    if (n?.harbor_cfg !== undefined)
      problems.push(
        problemError(
          ["harbor_nodes", i, "harbor_cfg"],
          "holds harbor.cfg keys, which only Harbor 1.x reads; Harbor 2.x reads harbor.yml, which harbor-ha renders from the inventory: remove it",
        ),
      );
  });
  const storage = d.storage;
  if (storage?.type === "pvc") {
    problems.push(
      problemError(
        ["storage", "type"],
        '"pvc" is a Kubernetes claim, which VMs cannot mount; on VMs use type: nfs, mounted (a shared filesystem) or object_store (s3)',
      ),
    );
  }
  if (storage?.type === "mounted" && storage.registry_path !== undefined && storage.registry_path !== HARBOR2_REGISTRY_DATA_PATH) {
    problems.push(
      problemError(
        ["storage", "registry_path"],
        `must be ${HARBOR2_REGISTRY_DATA_PATH} for Harbor 2.x: ` +
          "the docker-compose.yml its prepare writes mounts <data_volume>/registry into the registry, " +
          `and harbor-ha keeps data_volume at ${HARBOR2_DATA_VOLUME}; mount the shared filesystem there`,
      ),
    );
  }
  if (storage?.type === "nfs" && storage.job_logs_export !== undefined) {
    problems.push(
      problemWarning(
        ["storage", "job_logs_export"],
        "is not used by Harbor 2.x: harbor-ha keeps job logs in the database (jobservice job_loggers: DB), which every node reads",
      ),
    );
  }
  return problems;
}

function checkKubernetes(d: Harbor2Sections, present: ReadonlySet<string>): ProblemDraft[] {
  const k8s = d.kubernetes;
  if (!present.has("kubernetes") || k8s === undefined) return [];
  const problems: ProblemDraft[] = [];
  if (d.database?.create === true) {
    problems.push(
      problemWarning(
        ["database", "create"],
        "is not used by helm-values: on Kubernetes Harbor's core expects the database to exist; create it empty yourself (CREATE DATABASE)",
      ),
    );
  }
  if (d.cluster?.protocol === "https" && k8s.ingress?.tls_secret === undefined && k8s.ingress !== undefined) {
    problems.push(
      problemError(
        ["kubernetes", "ingress", "tls_secret"],
        "is required with protocol https: without it the chart generates a new self-signed certificate on every render " +
          "(every upgrade would change it). " +
          `Create a kubernetes.io/tls secret for ${k8s.ingress.host ?? d.cluster.hostname ?? "the hostname"} ` +
          "(kubectl create secret tls NAME --cert=… --key=…) and name it here",
        ["kubernetes"],
      ),
    );
  }
  if (d.cluster?.protocol === "http" && k8s.ingress?.tls_secret !== undefined) {
    problems.push(
      problemWarning(
        ["kubernetes", "ingress", "tls_secret"],
        "is not used with protocol http: the ingress serves plain HTTP; set cluster.protocol: https to use it",
      ),
    );
  }
  const type = d.storage?.type;
  if (type === "nfs" || type === "mounted") {
    problems.push(
      problemError(
        ["storage", "type"],
        `"${type}" describes shared storage mounted on VMs, which pods cannot use; ` +
          "on Kubernetes use type: pvc (a ReadWriteMany claim shared by the registry replicas) or type: object_store (s3)",
      ),
    );
  }
  if (d.storage?.type === "pvc" && d.storage.existing_claim !== undefined && d.storage.storage_class !== undefined) {
    problems.push(
      problemWarning(["storage", "storage_class"], "is not used with existing_claim: the claim already has its class; remove one of them"),
    );
  }
  return problems;
}

/** Secrets the chart needs: from the inventory, or from a secret that already exists in the cluster. */
function checkSecretsGiven(d: Harbor2Sections, present: ReadonlySet<string>, target: Harbor2Target): ProblemDraft[] {
  const existing = d.kubernetes?.existing_secrets ?? {};
  const needed: Array<[PathSegment[], boolean, string | undefined, string]> = [
    [["harbor", "admin_password"], d.harbor !== undefined && d.harbor.admin_password === undefined, existing.admin_password, "admin_password"],
    [["database", "password"], d.database !== undefined && d.database.password === undefined, existing.database, "database"],
  ];
  // A section that failed to parse has its own errors; a missing key in it is reported by them.
  return needed
    .filter(([at, missing, ref]) => missing && ref === undefined && present.has(String(at[0])))
    .map(([at, , , ref]) =>
      problemError(
        at,
        target === "kubernetes"
          ? "is required: give it (a value, ${env:NAME} or ${file:path}), " +
              `or name an existing Kubernetes secret in kubernetes.existing_secrets.${ref}`
          : "is required on VMs: give it (a value, ${env:NAME} or ${file:path}); harbor-ha writes it into each node's harbor.yml",
      ),
    );
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
    .map((key) =>
      problemError(
        ["storage", "config", key],
        `is required for s3: without it the chart's placeholder ("${key === "bucket" ? "bucketname" : "us-west-1"}") would be used`,
        ["storage", "config"],
      ),
    );
  const secretName = d.kubernetes?.existing_secrets?.s3;
  const unused = secretName === undefined ? [] : ["accesskey", "secretkey"].filter((key) => config[key] !== undefined);
  return [
    ...missing,
    ...unused.map((key) =>
      problemWarning(["storage", "config", key], `is not written to the chart's values: kubernetes.existing_secrets.s3 (${secretName}) supplies it`),
    ),
  ];
}

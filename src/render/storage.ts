/** Shared storage on a Harbor node: NFS mounts, an operator's own mounts, or an object store. */
import { HARBOR_UID, JOB_LOGS_PATH, REGISTRY_DATA_PATH } from "../harbor/layout.js";
import { HARBOR2_REGISTRY_DATA_PATH } from "../harbor/harbor2-layout.js";
import type { Harbor1Inventory, Harbor2VmInventory } from "../inventory/model.js";
import { desiredDirectory } from "../desired/files.js";
import type { DesiredDirectory, DesiredMount } from "../desired/types.js";

export interface DesiredStorage {
  packages: string[];
  directories: DesiredDirectory[];
  mounts: DesiredMount[];
  requiredMounts: string[];
}

export function renderStorage(inv: Harbor1Inventory): DesiredStorage {
  const storage = inv.data.storage;
  // Harbor's containers (uid 10000) write the shared data.
  const harborDir = (path: string) => desiredDirectory(path, 0o755, HARBOR_UID, HARBOR_UID);
  switch (storage.type) {
    case "nfs":
      return {
        packages: ["nfs-common"],
        directories: [harborDir(REGISTRY_DATA_PATH), harborDir(JOB_LOGS_PATH)],
        mounts: [
          { source: `${storage.server}:${storage.registry_export}`, target: REGISTRY_DATA_PATH, fstype: "nfs", options: storage.options },
          { source: `${storage.server}:${storage.job_logs_export}`, target: JOB_LOGS_PATH, fstype: "nfs", options: storage.options },
        ],
        requiredMounts: [],
      };
    case "mounted":
      // Validation keeps these at Harbor's fixed paths (its HA compose file mounts only those).
      return {
        packages: [],
        directories: [harborDir(storage.registry_path), harborDir(storage.job_logs_path)],
        mounts: [],
        requiredMounts: [storage.registry_path, storage.job_logs_path],
      };
    case "object_store":
      // The registry's blobs live in the store; only the job logs stay on the node.
      return { packages: [], directories: [harborDir(JOB_LOGS_PATH)], mounts: [], requiredMounts: [] };
  }
}

/**
 * Harbor 2.x keeps job logs in the database (harbor.yml's job logger): only the registry's
 * blobs are shared, at <data_volume>/registry, or live in the object store.
 */
export function renderHarbor2Storage(inv: Harbor2VmInventory): DesiredStorage {
  const storage = inv.data.storage;
  const registryDir = desiredDirectory(HARBOR2_REGISTRY_DATA_PATH, 0o755, HARBOR_UID, HARBOR_UID);
  switch (storage.type) {
    case "nfs":
      return {
        packages: ["nfs-common"],
        directories: [registryDir],
        mounts: [
          { source: `${storage.server}:${storage.registry_export}`, target: HARBOR2_REGISTRY_DATA_PATH, fstype: "nfs", options: storage.options },
        ],
        requiredMounts: [],
      };
    case "mounted":
      // Validation keeps registry_path at <data_volume>/registry, where the compose file mounts it from.
      return { packages: [], directories: [registryDir], mounts: [], requiredMounts: [HARBOR2_REGISTRY_DATA_PATH] };
    case "object_store":
      return { packages: [], directories: [], mounts: [], requiredMounts: [] };
    case "pvc":
      throw new RangeError("storage type pvc is Kubernetes-only (harbor2-checks.ts refuses it on VMs)");
  }
}

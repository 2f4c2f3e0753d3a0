/**
 * Shared storage on a Harbor 1.x node: NFS mounts of the registry's data and the job logs (its
 * HA compose file mounts both from fixed paths), an operator's own mounts there, or an object
 * store for the registry with the job logs kept on the node.
 */
import { HARBOR_UID, JOB_LOGS_PATH, REGISTRY_DATA_PATH } from "./data/layout.js";
import type { Harbor1Inventory } from "../../inventory/model.js";
import { desiredDirectory } from "../../desired/files.js";
import type { DesiredStorage } from "../generation.js";

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

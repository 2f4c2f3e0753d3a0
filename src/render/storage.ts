/** Shared storage on a Harbor node: NFS mounts, an operator's own mounts, or an object store. */
import type { Inventory } from "../inventory/model.js";
import { desiredDirectory } from "./files.js";
import type { DesiredDirectory, DesiredMount } from "./types.js";

/** Harbor's containers run as uid/gid 10000 and must own the shared registry data. */
export const HARBOR_UID = "10000";
export const REGISTRY_PATH = "/data/registry";
export const JOB_LOGS_PATH = "/data/job_logs";

export interface DesiredStorage {
  packages: string[];
  directories: DesiredDirectory[];
  mounts: DesiredMount[];
  requiredMounts: string[];
}

export function renderStorage(inv: Inventory): DesiredStorage {
  const storage = inv.data.storage;
  const harborDir = (path: string) => desiredDirectory(path, 0o755, HARBOR_UID, HARBOR_UID);
  switch (storage.type) {
    case "nfs":
      return {
        packages: ["nfs-common"],
        directories: [harborDir(REGISTRY_PATH), harborDir(JOB_LOGS_PATH)],
        mounts: [
          { source: `${storage.server}:${storage.registry_export}`, target: REGISTRY_PATH, fstype: "nfs", options: storage.options },
          { source: `${storage.server}:${storage.job_logs_export}`, target: JOB_LOGS_PATH, fstype: "nfs", options: storage.options },
        ],
        requiredMounts: [],
      };
    case "mounted":
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

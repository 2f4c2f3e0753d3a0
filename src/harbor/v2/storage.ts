/** Shared storage on a Harbor 2.x node. */
import { HARBOR_UID } from "../layout.js";
import { HARBOR2_REGISTRY_DATA_PATH } from "./data/layout.js";
import type { Harbor2VmInventory } from "../../inventory/model.js";
import { desiredDirectory } from "../../desired/files.js";
import type { DesiredStorage } from "../generation.js";

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

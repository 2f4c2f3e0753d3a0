/**
 * Where Harbor is installed, against the storage every node shares: install_dir on or under
 * a shared mount would put each node's installation (and what `--purge` removes with it) on
 * the one filesystem all nodes read their registry data from. Pure, over the sections that
 * parsed; the paths are already normal (formats/host-path.ts), so a prefix test is exact.
 */
import { isOnOrUnder } from "../formats/host-path.js";
import { problemError } from "./problems.js";
import type { ProblemDraft } from "./problems.js";

/** The installer section and the shared paths of the inventory's generation (e.g. /data/registry). */
export function checkInstallDir(installDir: string | undefined, sharedPaths: readonly string[]): ProblemDraft[] {
  if (installDir === undefined) return [];
  const shared = sharedPaths.find((p) => isOnOrUnder(installDir, p));
  if (shared === undefined) return [];
  return [
    problemError(
      ["installer", "install_dir"],
      `is on the shared storage mounted at ${shared} on every node: each node's installation would sit where all ` +
        "nodes keep the registry's data, and removing one node's files (--purge) would remove them for every node; " +
        "install Harbor on the node's own disk, such as /opt",
    ),
  ];
}

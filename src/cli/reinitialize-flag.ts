/**
 * `--reinitialize-database-destroying-all-data=<cluster.name>`: the one flag that drops every
 * user, project and repository. A script must spell out the cluster it means; a bare flag or
 * another name is refused before anything is read or changed. Pure.
 */
import { UsageError } from "../errors.js";

export const REINITIALIZE_FLAG = "--reinitialize-database-destroying-all-data";

/** Whether to re-initialise: false when the flag is absent; its value must be the cluster's name. */
export function confirmReinitialize(value: string | boolean | undefined, clusterName: string): boolean {
  if (value === undefined || value === false) return false;
  const typed = typeof value === "string" ? value.trim() : "";
  if (typed === clusterName) return true;
  const how = `${REINITIALIZE_FLAG}=${clusterName}`;
  throw new UsageError(
    typed === ""
      ? `${REINITIALIZE_FLAG} needs the cluster's name as its value: it drops every user, project and repository in Harbor's database`
      : `${REINITIALIZE_FLAG}=${typed} does not name this cluster (cluster.name is "${clusterName}"); nothing was changed`,
    `To drop Harbor's database and load registry.sql again, type ${how} (see the row counts it would lose with --dry-run first).`,
  );
}

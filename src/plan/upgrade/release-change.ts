/**
 * Which release change an upgrade makes, decided from the release each node records
 * (/var/lib/harbor-ha/harbor-release) and the inventory's harbor_version. Pure. A downgrade
 * is refused: Harbor's migrations only go up, and an older core refuses a newer schema. A
 * cluster whose nodes hold two releases is an upgrade that stopped part-way: it continues
 * towards the inventory's release, which must be the newer of the two.
 */
import { compareReleases, harbor2LineOf } from "../../harbor/versions.js";

export interface NodeRelease {
  node: string;
  /** The release the node's stamp records; undefined when it has none. */
  release: string | undefined;
}

export type ReleaseChange =
  | { kind: "none"; release: string }
  | {
      kind: "upgrade";
      from: string;
      to: string;
      /** A patch release of the same line, or a newer line. */
      step: "patch" | "minor";
      /** Nodes already on the new release: an upgrade that stopped part-way continues with the others. */
      done: string[];
    }
  | { kind: "refused"; message: string; hint: string };

export function planReleaseChange(nodes: readonly NodeRelease[], to: string): ReleaseChange {
  const unstamped = nodes.filter((n) => n.release === undefined).map((n) => n.node);
  if (unstamped.length > 0)
    return refused(
      `${unstamped.join(", ")} records no installed Harbor release (${nodes.length === unstamped.length ? "the cluster was not provisioned" : "not provisioned by harbor-ha"})`,
      "Run `harbor-ha provision` with the release the cluster runs now first; upgrade changes a running cluster's release.",
    );
  const releases = [...new Set(nodes.map((n) => n.release as string))].sort(compareReleases);
  const newer = releases.filter((r) => compareReleases(r, to) > 0);
  if (newer.length > 0)
    return refused(
      `the cluster runs Harbor ${newer.join(", ")}, newer than cluster.harbor_version ${to}: a downgrade is refused`,
      "Harbor migrates its database schema only forward, and an older core refuses a newer schema. " +
        "To go back, restore the database backup taken before the upgrade and reinstall the older release on every node " +
        `(the backup's name is printed by the upgrade; it is kept in upgrade.backup_dir). Or set cluster.harbor_version to ${newer[newer.length - 1]}.`,
    );
  const older = releases.filter((r) => compareReleases(r, to) < 0);
  if (older.length === 0) return { kind: "none", release: to };
  if (older.length > 1)
    return refused(
      `the nodes run ${older.join(" and ")}: more than one release older than ${to}`,
      "harbor-ha upgrades a cluster from one release: bring every node to the same release first (harbor-ha upgrade with the older one).",
    );
  const from = older[0] as string;
  const fromLine = harbor2LineOf(from);
  const toLine = harbor2LineOf(to);
  if (!fromLine || !toLine || !toLine.upgradesFrom.includes(fromLine.line))
    return refused(
      `Harbor ${from} cannot be upgraded to ${to} in one step`,
      `harbor-ha upgrades to ${toLine?.line ?? to}.x from ${toLine ? toLine.upgradesFrom.map((l) => `${l}.x`).join(", ") : "no line"}: ` +
        "upgrade through an intermediate release first (its own installer), as Harbor's upgrade guide says.",
    );
  const done = nodes.filter((n) => n.release === to).map((n) => n.node);
  return { kind: "upgrade", from, to, step: fromLine.line === toLine.line ? "patch" : "minor", done };
}

function refused(message: string, hint: string): ReleaseChange {
  return { kind: "refused", message, hint };
}

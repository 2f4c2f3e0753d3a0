/**
 * prepare's shared-storage question. `install.sh --ha` runs `prepare --ha`, which, with
 * filesystem storage, asks on stdin whether the registry's storage is shared (and dies
 * with EOFError when nobody answers). harbor-ha answers "yes" only after it proved it:
 * before any install, one node writes a fresh random marker into the registry's storage
 * folder and every other node must read that very marker (one shared filesystem), each
 * writing there as uid 10000 too. Steps as data, in the plan: the marker at the end of the
 * writer's storage phase, the reads in the storage-check phase, so a failure stops the run
 * before the harbor phase. With an object store prepare asks nothing and nothing is checked. Pure.
 */
import type { HarborGeneration } from "../harbor/generation.js";
import { SHARED_CHECK_FILE, sharedStorageMarkCommand, sharedStorageReadCommand } from "../steps/commands.js";
import type { HostPlan, Step } from "../steps/types.js";

/** A run of Harbor's installer (not the upload, the extraction or the stamp). */
export function isInstallRun(s: Step): boolean {
  return s.role === "install-run";
}

/** A step of the shared-storage check. */
export function isSharedStorageCheck(s: Step): boolean {
  return s.role === "storage-check";
}

/**
 * The check's steps for the Harbor nodes' plans (in inventory order), when any node runs
 * install.sh with filesystem storage. The writer is the first node whose storage needs no
 * change (in a rolling run its marker is written before any node rolls), else the first node.
 */
export function planSharedStorageCheck(generation: HarborGeneration, nodePlans: readonly HostPlan[], marker: string): Step[] {
  const dir = generation.sharedRegistryPath;
  if (dir === undefined || nodePlans.length === 0 || !nodePlans.some((p) => p.steps.some(isInstallRun))) return [];
  const settled = nodePlans.find((p) => !p.steps.some((s) => s.phase === "storage"));
  const writer = (settled ?? (nodePlans[0] as HostPlan)).host.name;
  const why = generation.sharedStorageWhy;
  const steps: Step[] = [
    {
      host: writer,
      phase: "storage",
      kind: "check",
      role: "storage-check",
      title: `write a fresh check marker into ${dir}/${SHARED_CHECK_FILE} as uid 10000`,
      reason: why,
      action: {
        type: "run",
        command: sharedStorageMarkCommand(dir, marker),
        hint:
          `Harbor's registry runs as uid 10000 and must be able to write to ${dir}: ` +
          `make the shared storage writable for 10000:10000 (NFS: ` +
          `no root_squash/all_squash mapping it to another uid), then run again. install.sh was not run.`,
      },
    },
  ];
  for (const p of nodePlans) {
    const node = p.host.name;
    if (node === writer) continue;
    steps.push({
      host: node,
      phase: "storage-check",
      kind: "check",
      role: "storage-check",
      title: `read the check marker ${writer} wrote into ${dir}, and write there as uid 10000`,
      reason: `${why} (proves ${node} and ${writer} share ${dir})`,
      action: {
        type: "run",
        command: sharedStorageReadCommand(dir, marker, writer, node),
        hint:
          `install.sh was not run. If ${node} does not see the marker, ` +
          `${dir} there is not the filesystem ${writer} has, ` +
          `and images pushed through one node would be missing on the other: ` +
          `mount the same NFS export at ${dir} on every Harbor node (see storage in the inventory). ` +
          `If uid 10000 cannot write, make the share writable for 10000:10000. Then run again.`,
      },
    });
  }
  return steps;
}

/**
 * Reading a provisioned lab cluster back, for assertions: what render says each host
 * should hold, and what the host really holds (content hash, mode, owner), plus PIDs.
 */
import { createHash } from "node:crypto";
import { readInventory } from "../../../src/inventory/load.js";
import { clusterStateDir, readClusterState } from "../../../src/secrets/cluster-state.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredState } from "../../../src/desired/types.js";
import type { Lab } from "./lab.js";

export async function renderLab(inventoryPath: string): Promise<DesiredState> {
  const { inventory } = await readInventory(inventoryPath);
  return renderDesiredState(inventory, await readClusterState(clusterStateDir(inventory)));
}

export interface RemoteFile {
  present: boolean;
  mode?: string;
  owner?: string;
  numericOwner?: string;
  sha256?: string;
}

/** mode/owner/sha256 of the given paths on a host, in one ssh call. */
export async function statFiles(lab: Lab, host: string, paths: readonly string[]): Promise<Map<string, RemoteFile>> {
  const script = paths
    .map(
      (p) =>
        `if [ -f '${p}' ]; then echo "${p}|$(stat -c '%a|%U:%G|%u:%g' '${p}')|$(sha256sum < '${p}' | cut -d' ' -f1)"; else echo "${p}|absent"; fi`,
    )
    .join("\n");
  const r = await lab.sshRun(host, script);
  const out = new Map<string, RemoteFile>();
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const [path = "", mode = "", owner = "", numericOwner = "", sha256 = ""] = line.split("|");
    out.set(path, mode === "absent" ? { present: false } : { present: true, mode, owner, numericOwner, sha256 });
  }
  return out;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** keepalived's PID on each load balancer, the registry's and the ui's on each node: "restarts nothing" compares these. */
export async function servicePids(lab: Lab): Promise<Record<string, string>> {
  const pids: Record<string, string> = {};
  await Promise.all(
    lab.hosts.map(async (h) => {
      if (h.role === "loadbalancer") pids[h.name] = (await lab.sshRun(h.name, "cat /run/keepalived.pid")).stdout.trim();
      if (h.role === "harbor-node")
        pids[h.name] = (await lab.sshRun(h.name, "pgrep -f '[d]ocker-registry serve'; pgrep -f '[s]ervices/ui.py'")).stdout.trim();
    }),
  );
  return pids;
}

/** Which load balancers hold the VIP now. */
export async function vipHolders(lab: Lab): Promise<string[]> {
  const holders: string[] = [];
  for (const h of lab.hosts.filter((x) => x.role === "loadbalancer")) {
    const r = await lab.sshRun(h.name, "ip -o -4 addr show");
    if (r.stdout.includes(` ${lab.vip}/`)) holders.push(h.name);
  }
  return holders;
}

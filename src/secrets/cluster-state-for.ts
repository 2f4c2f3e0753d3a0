/**
 * The cluster state of an inventory of either Harbor generation: the secretkey and token key
 * pair (cluster-state.ts), and for Harbor 2.x on VMs the secrets pinned after prepare
 * (chart-secrets.ts). Its own module so that a command that only renders (render) loads
 * nothing of the run machinery (SSH, database clients).
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import { generationOf } from "../harbor/generations.js";
import { clusterStateDir, readClusterState, readOrCreateClusterState } from "./cluster-state.js";
import type { ClusterStateRead } from "./cluster-state.js";
import { readOrCreatePinnedSecrets } from "./chart-secrets.js";

/** The cluster state; for Harbor 2.x with the secrets pinned after prepare. */
export async function readClusterStateFor(inv: Inventory, opts: { persist: boolean }): Promise<ClusterStateRead> {
  const read = await readOrCreateClusterState(inv, opts);
  if (!generationOf(inv).pinsSecrets) return read;
  const harbor2 = await readOrCreatePinnedSecrets(clusterStateDir(inv), opts);
  return { ...read, state: { ...read.state, harbor2 } };
}

/** The state a cluster already has, read as it is (status writes nothing); throws when there is none. */
export async function readExistingClusterStateFor(inv: Inventory): Promise<ClusterState> {
  const state = await readClusterState(clusterStateDir(inv));
  if (!generationOf(inv).pinsSecrets) return state;
  return { ...state, harbor2: await readOrCreatePinnedSecrets(clusterStateDir(inv), { persist: false }) };
}

import type { Inventory } from "../inventory/model.js";

/** One line an operator recognises their cluster by. */
export function describeInventory(inv: Inventory): string {
  const d = inv.data;
  const storage = d.storage.type === "object_store" ? `object store (${d.storage.provider})` : d.storage.type === "nfs" ? "NFS" : "shared mount";
  return (
    `${d.cluster.name}: ${d.cluster.protocol}://${d.cluster.hostname} at VIP ${d.cluster.vip}, ` +
    `${d.load_balancers.length} load balancers, ${d.harbor_nodes.length} Harbor nodes, Harbor ${d.cluster.harbor_version}, ${storage}` +
    (d.harbor.with_clair ? ", Clair" : "")
  );
}

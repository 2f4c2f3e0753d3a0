import { isHarbor2Inventory } from "../inventory/load.js";
import type { AnyInventory } from "../inventory/load.js";
import type { Harbor2Inventory } from "../inventory/model-v2.js";

/** One line an operator recognises their cluster by. */
export function describeInventory(inv: AnyInventory): string {
  if (isHarbor2Inventory(inv)) return describeHarbor2Inventory(inv);
  const d = inv.data;
  const storage = d.storage.type === "object_store" ? `object store (${d.storage.provider})` : d.storage.type === "nfs" ? "NFS" : "shared mount";
  return (
    `${d.cluster.name}: ${d.cluster.protocol}://${d.cluster.hostname} at VIP ${d.cluster.vip}, ` +
    `${d.load_balancers.length} load balancers, ${d.harbor_nodes.length} Harbor nodes, Harbor ${d.cluster.harbor_version}, ${storage}` +
    (d.harbor.with_clair ? ", Clair" : "")
  );
}

function describeHarbor2Inventory(inv: Harbor2Inventory): string {
  const d = inv.data;
  const storage = d.storage.type === "object_store" ? "S3" : d.storage.type === "pvc" ? "a ReadWriteMany claim" : d.storage.type;
  const redis = d.redis.sentinel !== undefined ? `Redis Sentinel (${d.redis.sentinel.master_set})` : "Redis";
  const where =
    d.kubernetes !== undefined
      ? "on Kubernetes (helm-values)"
      : `at VIP ${d.cluster.vip}, ${d.load_balancers?.length ?? 0} load balancers, ${d.harbor_nodes?.length ?? 0} Harbor nodes (VMs)`;
  return (
    `${d.cluster.name}: ${d.cluster.protocol}://${d.cluster.hostname}, Harbor ${d.cluster.harbor_version} ${where}, ` +
    `PostgreSQL ${d.database.host}, ${redis}, ${storage}` +
    (d.harbor.with_trivy ? ", Trivy" : "")
  );
}

/**
 * A Harbor node as a host: its Harbor files (the generation's), what the load-balancing mode
 * puts there (LVS direct routing's VIP rules), its shared storage, and the packages they need.
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import type { TemplateSet } from "../desired/templates.js";
import type { DesiredHost } from "../desired/types.js";
import type { HarborGeneration } from "../harbor/generation.js";
import type { LoadBalancingMode } from "../lb/mode.js";

export function renderHarborNodeHost(
  inv: Inventory,
  index: number,
  ctx: { generation: HarborGeneration; mode: LoadBalancingMode; state: ClusterState; tpl: TemplateSet },
): DesiredHost {
  const node = inv.data.harbor_nodes[index];
  if (!node) throw new RangeError(`no Harbor node at index ${index}`);
  const storage = ctx.generation.storage();
  return {
    host: { name: node.name, address: node.address, role: "harbor-node" },
    // curl: the start-up wait (and Harbor 1.x's settings API calls) run on the node itself.
    packages: [...ctx.mode.node.packages, "curl", ...storage.packages],
    users: [],
    directories: storage.directories,
    files: [...ctx.generation.nodeFiles(index, ctx.state, ctx.tpl), ...ctx.mode.node.files(ctx.tpl)],
    mounts: storage.mounts,
    requiredMounts: storage.requiredMounts,
  };
}

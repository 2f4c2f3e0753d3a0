/** inventory + cluster state → every file and setting of every host. Pure and synchronous. */
import type { ClusterState, Inventory } from "../inventory/model.js";
import { renderDatabase } from "./database.js";
import { renderHarborNode } from "./harbor-node.js";
import { renderLoadBalancer } from "./loadbalancer.js";
import { defaultTemplates, type TemplateSet } from "./templates.js";
import type { DesiredState } from "./types.js";

export function renderDesiredState(inv: Inventory, state: ClusterState, tpl: TemplateSet = defaultTemplates()): DesiredState {
  return {
    hosts: [
      ...inv.data.load_balancers.map((_, i) => renderLoadBalancer(inv, i, tpl)),
      ...inv.data.harbor_nodes.map((_, i) => renderHarborNode(inv, i, state, tpl)),
    ],
    database: renderDatabase(inv),
  };
}

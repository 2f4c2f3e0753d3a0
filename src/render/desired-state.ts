/**
 * inventory + cluster state → every file and setting of every host, and the database step.
 * Pure and synchronous. The Harbor generation and the load-balancing mode each contribute
 * their part (harbor/generations.ts, lb/modes.ts); this file only puts them together.
 */
import type { ClusterState, Inventory } from "../inventory/model.js";
import { defaultTemplates, type TemplateSet } from "../desired/templates.js";
import type { DesiredState } from "../desired/types.js";
import { generationOf } from "../harbor/generations.js";
import { modeOf } from "../lb/modes.js";
import { renderHarborNodeHost } from "./harbor-node.js";
import { renderLoadBalancer } from "./loadbalancer.js";

export function renderDesiredState(inv: Inventory, state: ClusterState, tpl: TemplateSet = defaultTemplates()): DesiredState {
  const generation = generationOf(inv);
  const mode = modeOf(inv);
  return {
    hosts: [
      ...inv.data.load_balancers.map((_, i) => renderLoadBalancer(inv, i, { mode, healthTest: generation.healthTest, tpl })),
      ...inv.data.harbor_nodes.map((_, i) => renderHarborNodeHost(inv, i, { generation, mode, state, tpl })),
    ],
    database: generation.desiredDatabase(),
  };
}

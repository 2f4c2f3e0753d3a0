/** inventory + cluster state → every file and setting of every host. Pure and synchronous. */
import type { ClusterState, Inventory } from "../inventory/model.js";
import { isHarbor2Vm } from "../inventory/model.js";
import { renderDatabase } from "./database.js";
import { renderHarborNode } from "./harbor-node.js";
import { renderHarbor2Node } from "./harbor2-node.js";
import { renderLoadBalancer } from "./loadbalancer.js";
import { defaultTemplates, type TemplateSet } from "../desired/templates.js";
import type { DesiredState } from "../desired/types.js";

export function renderDesiredState(inv: Inventory, state: ClusterState, tpl: TemplateSet = defaultTemplates()): DesiredState {
  return {
    hosts: [
      ...inv.data.load_balancers.map((_, i) => renderLoadBalancer(inv, i, tpl)),
      ...inv.data.harbor_nodes.map((_, i) => (isHarbor2Vm(inv) ? renderHarbor2Node(inv, i, state, tpl) : renderHarborNode(inv, i, state, tpl))),
    ],
    // Harbor 2.x migrates its own schema: no registry.sql to load (the database is checked by db/pg).
    ...(isHarbor2Vm(inv) ? {} : { database: renderDatabase(inv) }),
  };
}

/**
 * The inventory's Harbor generation: the one place that tells 1.x from 2.x. Adding a release
 * line is data in its generation (harbor/v1/data/, harbor/v2/data/); adding a generation is a
 * module beside them and a line here.
 */
import type { Harbor2VmInventory, Inventory } from "../inventory/model.js";
import type { HarborGeneration } from "./generation.js";
import { harbor1 } from "./v1/index.js";
import { harbor2 } from "./v2/index.js";

export function generationOf(inv: Inventory): HarborGeneration {
  return isHarbor2Vm(inv) ? harbor2(inv) : harbor1(inv);
}

function isHarbor2Vm(inv: Inventory): inv is Harbor2VmInventory {
  return inv.generation === 2;
}

export type { HarborGeneration } from "./generation.js";

/** Tests of Harbor 1.x code: the inventory they read must be a 1.x one. */
import type { Harbor1Inventory, Inventory } from "../../src/inventory/model.js";

export function harbor1(inv: Inventory): Harbor1Inventory {
  if (inv.generation === 2) throw new Error(`${inv.path} is a Harbor 2.x inventory; this test needs a 1.x one`);
  return inv;
}

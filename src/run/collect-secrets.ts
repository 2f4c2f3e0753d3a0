/** Every secret value of an inventory, for the Redactor that guards all output. */
import type { Inventory } from "../inventory/model.js";
import type { Secret } from "../inventory/secret.js";
import { generationOf } from "../harbor/generations.js";

export function collectSecrets(inv: Inventory): Secret[] {
  return generationOf(inv).inventorySecrets();
}

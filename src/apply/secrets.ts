/** Every secret value of an inventory, for the Redactor that guards all output. */
import type { Inventory } from "../inventory/model.js";
import { Secret } from "../inventory/secret.js";

export function collectSecrets(inv: Inventory): Secret[] {
  const found: Secret[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Secret) found.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(inv.data);
  if (inv.tls) found.push(inv.tls.key);
  return found;
}

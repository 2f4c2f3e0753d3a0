/** Every secret value of an inventory, for the Redactor that guards all output. */
import { HARBOR_CFG_SECRET_KEYS } from "../harbor/cfg-keys.js";
import type { Inventory } from "../inventory/model.js";
import { isHarbor2Vm } from "../inventory/model.js";
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
  if (isHarbor2Vm(inv)) return found;
  // Passwords passed through to harbor.cfg as plain values (Harbor's own password keys).
  const cfgMaps = [inv.data.harbor.extra_cfg, ...inv.data.harbor_nodes.map((n) => n.harbor_cfg ?? {})];
  for (const cfg of cfgMaps) {
    for (const key of HARBOR_CFG_SECRET_KEYS) {
      const v = cfg[key];
      if (v !== undefined && String(v) !== "") found.push(new Secret(String(v), `harbor.cfg ${key}`));
    }
  }
  return found;
}

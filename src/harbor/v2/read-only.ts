/**
 * Harbor's read-only mode, through its API (PUT /api/v2.0/configurations {"read_only": …} as
 * admin): while it is on, core refuses pushes and deletes with its own error and serves pulls.
 * An upgrade turns it on before any node changes, so that no write lands while two releases
 * share the database, and off once every node runs the new one. The step's stamp on the node
 * says an upgrade is under way (status reads it), and is emptied when it ends.
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import { harborApiCommand, harborApiCurlConfig } from "../../steps/commands.js";
import type { Step } from "../../steps/types.js";
import { localBaseUrl } from "../paths.js";

/** What an upgrade under way left on the node whose API turned read-only on; empty when none. */
/** Harbor's built-in administrator, whose password harbor.admin_password is. */
const HARBOR_ADMIN = "admin";

export const HARBOR2_UPGRADE_STAMP_PATH = "/var/lib/harbor-ha/upgrade-in-progress";

export function harbor2ConfigurationsUrl(inv: Harbor2VmInventory): string {
  return `${localBaseUrl(inv.data.cluster.protocol)}/api/v2.0/configurations`;
}

export function readOnlyStep(inv: Harbor2VmInventory, on: boolean, node: string, upgrade: { from: string; to: string }): Step {
  const password = inv.data.harbor.admin_password;
  if (password === undefined) throw new RangeError("a 2.x VM inventory has harbor.admin_password (harbor2-checks.ts)");
  const url = harbor2ConfigurationsUrl(inv);
  const body = JSON.stringify({ read_only: on });
  return {
    host: node,
    phase: "settings",
    kind: "settings",
    title: `Harbor's read-only mode ${on ? "ON" : "OFF"} (PUT ${url} {"read_only":${on}} as ${HARBOR_ADMIN}), then read back`,
    reason: on
      ? `nodes of ${upgrade.from} and ${upgrade.to} share the database from here: pushes are refused by Harbor, pulls go on`
      : `every node runs ${upgrade.to}: pushes are taken again`,
    action: {
      type: "harbor-settings",
      put: { command: harborApiCommand("PUT", url), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, password, body) },
      get: { command: harborApiCommand("GET", url), curlConfig: harborApiCurlConfig(HARBOR_ADMIN, password) },
      expect: { read_only: on },
      stamp: {
        path: HARBOR2_UPGRADE_STAMP_PATH,
        content: on ? `upgrade from Harbor ${upgrade.from} to ${upgrade.to}: read-only on\n` : "",
        mode: 0o644,
        owner: "root",
        group: "root",
        sensitive: false,
        onChange: [],
        description: "an upgrade under way (empty when none)",
      },
    },
  };
}

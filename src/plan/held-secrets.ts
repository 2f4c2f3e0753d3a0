/**
 * Never replace by accident a secret a running cluster depends on: a node where Harbor answers,
 * harbor-ha installed, or prepare has run holds the secretkey its stored passwords are encrypted
 * with and the token key pair its sessions are signed with (2.x: also the core, job service and
 * CSRF secrets). A plan that would write different ones — a state folder made for another
 * cluster, or none yet beside a cluster built by hand — is refused before anything changes,
 * saying how to give the state folder the cluster's own. Pure.
 */
import type { Inventory } from "../inventory/model.js";
import type { DesiredHost } from "../desired/types.js";
import { INSTALL_STAMP_PATH } from "../desired/paths.js";
import type { HostFacts } from "../facts/types.js";
import { generationOf } from "../harbor/generations.js";
import type { PreflightProblem } from "../steps/types.js";

/** Exit status of a plan refused because it would replace a running cluster's secrets (as bad input: nothing ran). */
export const EXIT_HELD_SECRET = 2;

/** Whether Harbor runs, or ran, on the node: it answers, harbor-ha installed it, or prepare left its files. */
export function harborInstalledOn(inv: Inventory, d: DesiredHost, f: HostFacts): boolean {
  const generation = generationOf(inv);
  return f.http[generation.localHealthUrl] === 200 || (f.stamps[INSTALL_STAMP_PATH] ?? null) !== null || generation.preparedOn(d, f);
}

export function heldSecretProblems(inv: Inventory, desired: readonly DesiredHost[], facts: ReadonlyMap<string, HostFacts>): PreflightProblem[] {
  const generation = generationOf(inv);
  const held = desired.flatMap((d) => {
    const f = facts.get(d.host.name);
    if (d.host.role !== "harbor-node" || !f || !harborInstalledOn(inv, d, f)) return [];
    return [{ d, secrets: generation.heldSecrets(d, f) }];
  });
  // Each secret is random and made once: a running node that holds the state folder's copy proves
  // the folder is this cluster's, and a node holding another (prepare run by hand restored an old
  // one) is drift that provision repairs. Only a secret no running node shares is refused.
  const clusters = new Set(held.flatMap((h) => h.secrets.filter((s) => !s.differs).map((s) => s.name)));
  return held.flatMap(({ d, secrets }): PreflightProblem[] => {
    const differing = secrets.filter((s) => s.differs && !clusters.has(s.name));
    if (differing.length === 0) return [];
    const names = [...new Set(differing.map((s) => s.name))];
    const tokenOnly = names.every((n) => n === "token signing key" || n === "token certificate");
    return [
      {
        host: d.host.name,
        message:
          `Harbor on this node depends on another ${names.join(", ")} than the cluster's state folder holds ` +
          `(${differing.map((s) => s.path).join(", ")}, by checksum): this run would replace ${names.length === 1 ? "it" : "them"}`,
        hint:
          "If this cluster was built without harbor-ha (or its state folder was lost), run `harbor-ha adopt` on this " +
          "inventory: it reads the cluster's own secrets from the nodes (read-only) into the state folder beside the " +
          `inventory (.harbor-ha/${inv.data.cluster.name}/), after you move away the files this or an earlier refused ` +
          "run generated there; then run again. If the state folder belongs to another cluster, point the inventory at " +
          "this cluster's own. " +
          (tokenOnly
            ? "To rotate the token key pair on purpose: that is a rolling operation of its own, never a side effect of " +
              "this run, and harbor-ha does not offer it yet."
            : "Harbor does not support changing its secretkey: the passwords it stored with it would no longer decrypt."),
        exitCode: EXIT_HELD_SECRET,
      },
    ];
  });
}

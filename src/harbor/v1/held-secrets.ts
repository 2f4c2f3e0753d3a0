/**
 * Harbor 1.x: the secrets a node's Harbor depends on, as the facts saw them — the secretkey its
 * adminserver, UI and job service encrypt stored passwords with, and the token signing key and
 * certificate (every session token is signed by the one and checked against the other). A copy
 * present on the node that differs from the cluster's is one harbor-ha must not replace by
 * accident (plan/held-secrets.ts). Pure.
 */
import type { Inventory } from "../../inventory/model.js";
import type { DesiredHost } from "../../desired/types.js";
import { sha256Hex } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import type { HeldSecret } from "../generation.js";
import { haCopyPaths, harborDir, harborLiveFiles } from "./paths.js";

export function harbor1HeldSecrets(inv: Inventory, d: DesiredHost, f: HostFacts): HeldSecret[] {
  const copies = haCopyPaths(inv);
  const names = new Map<string, HeldSecret["name"]>([
    [copies.secretkey, "secretkey"],
    [copies.tokenKey, "token signing key"],
    [copies.tokenCert, "token certificate"],
  ]);
  return harborLiveFiles(inv, d).flatMap((l) => {
    const name = names.get(l.renderedFrom);
    const fact = f.files[l.path];
    if (name === undefined || fact?.present !== true) return [];
    return [{ name, path: l.path, differs: fact.sha256 !== sha256Hex(l.content) }];
  });
}

/** prepare has run on the node: a file it copies into Harbor's folder is there (Harbor installed, running or not). */
export function harbor1Prepared(inv: Inventory, d: DesiredHost, f: HostFacts): boolean {
  return harborLiveFiles(inv, d).some((l) => l.path.startsWith(`${harborDir(inv)}/`) && f.files[l.path]?.present === true);
}

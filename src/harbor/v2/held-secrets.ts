/**
 * Harbor 2.x: the secrets a node's Harbor depends on, as the facts saw them — the secretkey
 * core encrypts stored passwords with, the token key pair, and the core, job service and CSRF
 * secrets (harbor-ha's pinned copy, or, on a node harbor-ha never installed, the lines in the env
 * files prepare wrote). A copy that differs from the cluster's is one harbor-ha must not replace
 * by accident (plan/held-secrets.ts). Pure.
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import type { DesiredHost } from "../../desired/types.js";
import { sha256Hex } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import type { HeldSecret } from "../generation.js";
import { HARBOR2_SECRETKEY_PATH, HARBOR2_TOKEN_CERT_PATH, HARBOR2_TOKEN_KEY_PATH } from "./data/layout.js";
import { harbor2EnvHeld } from "./live-env.js";
import { HARBOR2_PINNED_SECRETS_PATH } from "./node-files.js";

const PINNED_NAME = "core, job service and CSRF secrets";

const FILES = new Map<string, HeldSecret["name"]>([
  [HARBOR2_SECRETKEY_PATH, "secretkey"],
  [HARBOR2_TOKEN_KEY_PATH, "token signing key"],
  [HARBOR2_TOKEN_CERT_PATH, "token certificate"],
  [HARBOR2_PINNED_SECRETS_PATH, PINNED_NAME],
]);

export function harbor2HeldSecrets(inv: Harbor2VmInventory, d: DesiredHost, f: HostFacts): HeldSecret[] {
  const files = d.files.flatMap((file): HeldSecret[] => {
    const name = FILES.get(file.path);
    const fact = f.files[file.path];
    if (name === undefined || fact?.present !== true) return [];
    return [{ name, path: file.path, differs: fact.sha256 !== sha256Hex(file.content) }];
  });
  // With harbor-ha's pinned copy on the node, env lines that differ are a local prepare run the
  // install step repairs; without it, they are the secrets the cluster was built with — and a node
  // whose lines are the state folder's (adopt took them from it) proves the folder is this cluster's.
  if (f.files[HARBOR2_PINNED_SECRETS_PATH]?.present === true) return files;
  const env = harbor2EnvHeld(inv, d, f).map((l): HeldSecret => ({ name: PINNED_NAME, path: l.path, differs: l.differs }));
  return [...files, ...env];
}

/** prepare has run on the node: it wrote the env files the secrets are pinned in (Harbor installed, running or not). */
export function harbor2Prepared(f: HostFacts): boolean {
  return Object.values(f.envLines).some((sum) => sum !== null);
}

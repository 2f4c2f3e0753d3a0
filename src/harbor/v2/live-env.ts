/**
 * Harbor 2.x: the secrets its services really run with. prepare writes new random ones into
 * common/config/{core,jobservice,registryctl}/env on every run, so an install.sh run by hand on
 * one node leaves it with other core, job service and CSRF secrets than the rest (its sessions
 * and replication jobs then fail across nodes). The facts compare those lines by checksum with
 * the node's pinned-secrets file; status reports a difference, provision puts the cluster's back.
 * Pure.
 */
import type { Harbor2VmInventory } from "../../inventory/model.js";
import type { FactQuery } from "../../facts/queries.js";
import { envLinesSha256 } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import { harbor2Dir, HARBOR2_PINNED_SECRETS_PATH } from "./node-files.js";
import { PINNED_ENV_KEYS } from "./pinned-secrets.js";
import type { DesiredHost } from "../../desired/types.js";
import type { LiveFileDrift } from "../generation.js";

interface PinnedEnvFile {
  path: string;
  keys: readonly string[];
  desiredSha256: string;
}

function pinnedEnvFiles(inv: Harbor2VmInventory, d: DesiredHost): PinnedEnvFile[] {
  const pinned = d.files.find((f) => f.path === HARBOR2_PINNED_SECRETS_PATH);
  if (!pinned) return [];
  const lines = new Map(pinned.content.split("\n").flatMap((l) => (l.includes("=") ? [[l.slice(0, l.indexOf("=")), l] as const] : [])));
  return Object.entries(PINNED_ENV_KEYS).map(([file, keys]) => ({
    path: `${harbor2Dir(inv)}/common/config/${file}`,
    keys,
    desiredSha256: envLinesSha256(keys.map((k) => lines.get(k) ?? `${k}=`)),
  }));
}

export function harbor2EnvQueries(inv: Harbor2VmInventory, d: DesiredHost): FactQuery[] {
  return pinnedEnvFiles(inv, d).map((e) => ({ kind: "envlines", path: e.path, keys: e.keys }));
}

/** The env files prepare wrote on the node (present), each with whether its pinned keys hold other values than the cluster's. */
export function harbor2EnvHeld(inv: Harbor2VmInventory, d: DesiredHost, f: HostFacts): Array<{ path: string; differs: boolean }> {
  return pinnedEnvFiles(inv, d).flatMap((e) => {
    const seen = f.envLines[e.path];
    return seen === undefined || seen === null ? [] : [{ path: e.path, differs: seen !== e.desiredSha256 }];
  });
}

/** The env files whose pinned keys hold other values than the cluster's (absent files: not installed yet, said elsewhere). */
export function harbor2EnvDrift(inv: Harbor2VmInventory, d: DesiredHost, f: HostFacts): LiveFileDrift[] {
  return pinnedEnvFiles(inv, d).flatMap((e) => {
    const seen = f.envLines[e.path];
    if (seen === undefined || seen === null || seen === e.desiredSha256) return [];
    return [
      {
        path: e.path,
        reason:
          `its ${e.keys.join(", ")} are not the cluster's (prepare made new ones: install.sh run by hand?); ` +
          "the install step puts the cluster's back",
      },
    ];
  });
}

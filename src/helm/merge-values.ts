/**
 * kubernetes.values (chart values the operator passes through) merged into the values
 * harbor-ha writes. A passed-through key may add to what harbor-ha writes (annotations,
 * resources, node selectors, …) but never replace it: a replica count, a secret or the
 * database address set there would silently undo what the inventory says. Pure.
 */
import type { HelmValue, HelmValues } from "./render-values.js";

export interface ValuesConflict {
  /** Path in the values, e.g. ["core", "replicas"]. */
  path: string[];
  message: string;
}

/** Where the inventory sets what a passthrough value would replace. */
const SET_BY: Array<[RegExp, string]> = [
  [/^(core|portal|registry|jobservice|trivy)\.replicas$/, "kubernetes.replicas.$1"],
  [/^database\./, "the database section"],
  [/^redis\./, "the redis section"],
  [/^(externalURL|expose\.)/, "cluster.hostname, cluster.protocol and kubernetes.ingress"],
  [/^persistence\./, "the storage section and kubernetes.storage_class"],
  [/^trivy\.enabled$/, "harbor.with_trivy"],
  [/^jobservice\.jobLoggers$/, "harbor-ha (job logs in the database are what lets several job service replicas share them)"],
];

export function mergePassthroughValues(
  generated: HelmValues,
  passthrough: Readonly<Record<string, unknown>>,
): { values: HelmValues; conflicts: ValuesConflict[] } {
  const conflicts: ValuesConflict[] = [];
  const values = mergeInto(generated, passthrough, [], conflicts);
  return { values, conflicts };
}

function mergeInto(base: HelmValues, extra: Readonly<Record<string, unknown>>, prefix: string[], conflicts: ValuesConflict[]): HelmValues {
  const out: HelmValues = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const path = [...prefix, key];
    const mine = base[key];
    if (mine === undefined) {
      out[key] = value as HelmValue;
    } else if (isMapping(mine) && isMapping(value)) {
      out[key] = mergeInto(mine, value as Record<string, unknown>, path, conflicts);
    } else {
      conflicts.push({ path, message: `is written by harbor-ha from ${setBy(path.join("."))}; set it there instead` });
    }
  }
  return out;
}

function setBy(dotted: string): string {
  for (const [pattern, field] of SET_BY) {
    const m = pattern.exec(dotted);
    if (m) return field.replace("$1", m[1] ?? "");
  }
  return "the inventory (or the state folder, for secrets)";
}

function isMapping(v: unknown): v is HelmValues {
  return v !== null && typeof v === "object" && !Array.isArray(v) && v.constructor === Object;
}

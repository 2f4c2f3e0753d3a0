/**
 * The keys a chart's values.yaml defines, as a tree, and the paths of a values object that
 * are not among them. harbor-helm has no values.schema.json, and helm silently ignores a key
 * it does not know (`jobservice.jobLogger: database` did nothing for years), so its values.yaml
 * is the only list of what the chart reads. Pure: the text comes in, the tree goes out.
 *
 * Besides the keys set in values.yaml, the chart documents optional keys as commented-out
 * lines at their place (`#accesskey: awsaccesskey` under persistence.imageChartStorage.s3);
 * those count too. Maps whose keys Kubernetes or the operator chooses (annotations, labels,
 * resources, …), lists, empty maps and empty values accept anything below them.
 */
import { parse } from "yaml";
import { editDistance } from "../inventory/schema-issues.js";

export type ChartKeyNode = { kind: "map"; children: Map<string, ChartKeyNode> } | { kind: "open" } | { kind: "leaf" };

/** Maps whose keys are not the chart's own: Kubernetes objects and free-form metadata. */
const FREE_FORM_MAP = /annotations|labels|selector|resources|securitycontext|affinity/i;
const KEY_LINE = /^(\s*)([A-Za-z_][A-Za-z0-9_.-]*):(\s|$)/;
const COMMENTED_KEY_LINE = /^(\s*)#([A-Za-z_][A-Za-z0-9_]*):(\s|$)/;

/** The key tree of a values.yaml text. */
export function catalogueChartKeys(valuesYaml: string): ChartKeyNode {
  const root = nodeOf(parse(valuesYaml) as unknown, "");
  for (const path of commentedKeyPaths(valuesYaml)) addLeaf(root, path);
  return root;
}

function nodeOf(value: unknown, key: string): ChartKeyNode {
  if (value === null || value === undefined || Array.isArray(value)) return { kind: "open" };
  if (typeof value !== "object") return { kind: "leaf" };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || FREE_FORM_MAP.test(key)) return { kind: "open" };
  return { kind: "map", children: new Map(entries.map(([k, v]) => [k, nodeOf(v, k)])) };
}

/** The paths of commented-out keys, found by indentation under the keys above them. */
function commentedKeyPaths(text: string): string[][] {
  const stack: Array<{ indent: number; key: string }> = [];
  const found: string[][] = [];
  for (const line of text.split("\n")) {
    const real = KEY_LINE.exec(line);
    const commented = real ? null : COMMENTED_KEY_LINE.exec(line);
    const m = real ?? commented;
    if (!m) continue;
    const indent = (m[1] ?? "").length;
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const path = [...stack.map((s) => s.key), m[2] ?? ""];
    if (real) stack.push({ indent, key: m[2] ?? "" });
    else found.push(path);
  }
  return found;
}

function addLeaf(root: ChartKeyNode, path: string[]): void {
  let node = root;
  for (const [i, key] of path.entries()) {
    if (node.kind !== "map") return;
    const child = node.children.get(key);
    if (i === path.length - 1) {
      if (child === undefined) node.children.set(key, { kind: "leaf" });
      return;
    }
    if (child === undefined) return;
    node = child;
  }
}

export interface UnknownValueKey {
  /** The path in the values, e.g. ["jobservice", "jobLogger"]. */
  path: string[];
  /** Why, with the chart's nearest key when one is close. */
  message: string;
}

/** Every path of `values` the chart does not define, each with a suggestion when a key is close. */
export function findUnknownValueKeys(values: unknown, catalogue: ChartKeyNode, prefix: string[] = []): UnknownValueKey[] {
  // Only plain mappings have keys to check: a list, a scalar or a Secret is one value.
  if (catalogue.kind === "open" || values === null || typeof values !== "object" || Object.getPrototypeOf(values) !== Object.prototype) return [];
  if (catalogue.kind === "leaf") return [{ path: prefix, message: "is a single value in the chart, not a mapping" }];
  const out: UnknownValueKey[] = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const child = catalogue.children.get(key);
    if (child === undefined)
      out.push({ path: [...prefix, key], message: `is not a key of the chart's values${suggest(key, [...catalogue.children.keys()])}` });
    else out.push(...findUnknownValueKeys(value, child, [...prefix, key]));
  }
  return out;
}

function suggest(key: string, known: string[]): string {
  const close = known.filter(
    (k) => k.toLowerCase() === key.toLowerCase() || k.startsWith(key) || key.startsWith(k) || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2,
  );
  return close.length > 0 ? `; did you mean ${close.map((k) => `"${k}"`).join(" or ")}?` : "";
}

/**
 * The inventory's YAML text, kept as a document with positions so that every
 * problem, found at any later stage, can be pointed at its line.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node as YamlNode, Pair } from "yaml";
import type { InventoryProblem } from "../errors.js";
import { formatPath } from "./problems.js";
import type { PathSegment } from "./problems.js";

export interface YamlSource {
  /** The plain data (undefined when the text is not YAML at all). */
  data: unknown;
  /** Syntax errors and duplicate keys, already located. */
  problems: InventoryProblem[];
  /** true when only duplicate keys were found: the data is still worth validating. */
  usable: boolean;
  /** Line of the value at `at`; for an absent key, the line of its nearest present parent. */
  lineOf(at: readonly PathSegment[]): number | undefined;
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const lineOf = (at: readonly PathSegment[]) => findLine(doc, at, lineAt);

  const problems: InventoryProblem[] = [];
  let usable = true;
  for (const err of doc.errors) {
    const line = lineAt(err.pos[0]);
    if (err.code === "DUPLICATE_KEY") {
      const at = pathOfKeyAt(doc, err.pos[0]);
      const key = at[at.length - 1];
      problems.push({
        path: formatPath(at),
        line,
        severity: "error",
        message: `duplicate key "${String(key)}"; the later one would silently replace the earlier, so keep only one`,
      });
    } else {
      usable = false;
      problems.push({
        path: "",
        line,
        severity: "error",
        message: `YAML syntax: ${lowerFirst(err.message)}; check the indentation and quoting on and above this line`,
      });
    }
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // An unresolved alias or an alias bomb: yaml reports these only when converting.
    usable = false;
    problems.push({ path: "", line: undefined, severity: "error", message: `YAML: ${lowerFirst(e instanceof Error ? e.message : String(e))}` });
  }
  return { data, problems, usable, lineOf };
}

function findLine(doc: Document, at: readonly PathSegment[], lineAt: (offset: number) => number): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const seg of at) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      // The last pair with this key is the one whose value the data holds.
      const pair = [...(node.items as Pair[])].reverse().find((p) => keyText(p.key) === String(seg));
      if (!pair) return line;
      line = lineOfNode(pair.key, lineAt) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item: unknown = node.items[seg];
      if (item === undefined) return line;
      line = lineOfNode(item, lineAt) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

/** The path of the mapping key that starts at `offset` (where yaml reports a duplicate key). */
function pathOfKeyAt(doc: Document, offset: number): PathSegment[] {
  const walk = (node: unknown, path: PathSegment[]): PathSegment[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) {
        const key = keyText(pair.key);
        const range = (pair.key as YamlNode | null)?.range;
        if (key !== undefined && range && range[0] <= offset && offset < Math.max(range[1], range[0] + 1)) return [...path, key];
        const inner = key === undefined ? undefined : walk(pair.value, [...path, key]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const inner = walk(item, [...path, i]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []) ?? [];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : undefined;
}

function lineOfNode(node: unknown, lineAt: (offset: number) => number): number | undefined {
  const range = (node as YamlNode | null)?.range;
  return range ? lineAt(range[0]) : undefined;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * Zod's issues turned into problems an operator reads: `must be one of "rr", "wrr"`,
 * `unknown key; did you mean "priority"?`, `is required`. Messages given in the
 * schema itself win; these fill in for zod's generic ones. No message repeats the
 * value it complains about: the line shows it, and it may be a secret.
 */
import { z } from "zod";
import { problemError, problemWarning } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";

/** The per-parse error map: used for every issue the schema gives no message of its own. */
export function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      if (iss.input === null) return `is empty; give ${describeType(iss.expected)}`;
      return `must be ${describeType(iss.expected)}, not ${describeValue(iss.input)}`;
    case "invalid_value":
      return iss.values.length === 1
        ? `must be ${JSON.stringify(iss.values[0])}`
        : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return sizeMessage(iss.origin, "at least", iss.minimum);
    case "too_big":
      return sizeMessage(iss.origin, "at most", iss.maximum);
    case "invalid_format":
      return iss.format === "regex" && "pattern" in iss ? `must match ${String(iss.pattern)}` : `must be a valid ${iss.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(iss.divisor)}`;
    case "unrecognized_keys":
      return "unknown key";
    case "invalid_union":
      return unionMessage(iss.errors);
    default:
      return "is not valid here";
  }
}

function sizeMessage(origin: string, bound: string, limit: unknown): string {
  const n = Number(limit);
  if (origin === "string") return n === 1 && bound === "at least" ? "must not be empty" : `must be ${bound} ${n} characters long`;
  if (origin === "array" || origin === "set") return `needs ${bound} ${n} entr${n === 1 ? "y" : "ies"}`;
  return `must be ${bound} ${n}`;
}

/** Every branch failed on type alone: say which types would do. */
function unionMessage(branches: z.core.$ZodIssue[][]): string {
  const expected = branches.map((b) => (b.length === 1 && b[0]?.code === "invalid_type" ? b[0].expected : undefined));
  if (expected.length > 0 && expected.every((e) => e !== undefined)) {
    const names = [...new Set(expected.map((e) => (e === "boolean" ? "true/false" : describeType(e))))];
    return `must be ${names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : names[0]}`;
  }
  return "is not valid here";
}

function describeType(expected: string): string {
  const names: Record<string, string> = {
    object: "a mapping (key: value lines)",
    array: 'a list (lines starting with "- ")',
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
  };
  return names[expected] ?? `a ${expected}`;
}

function describeValue(input: unknown): string {
  if (input === null) return "empty";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  if (typeof input === "boolean") return "true/false";
  return `a ${typeof input}`;
}

/**
 * The issues of one section (parsed as `schema` from `raw`, found under `prefix`) as problems.
 * Unknown keys become one problem each, on the key itself, with a suggestion.
 */
export function draftsFromIssues(issues: readonly z.core.$ZodIssue[], prefix: PathSegment[], schema: z.ZodType, raw: unknown): ProblemDraft[] {
  const drafts: ProblemDraft[] = [];
  for (const iss of issues) {
    const at = [...prefix, ...(iss.path as PathSegment[])];
    if (iss.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(schema, iss.path as PathSegment[], raw);
      for (const key of iss.keys) drafts.push(problemError([...at, key], `unknown key${suggestKey(key, allowed)}`));
    } else if (iss.code === "custom" && iss.params?.["severity"] === "warning") {
      drafts.push(problemWarning(at, iss.message));
    } else if (iss.code === "invalid_type" && iss.input === undefined) {
      // A message given in the schema ("must be a port number") reads oddly for a key that is absent.
      drafts.push(problemError(at, "is required"));
    } else {
      drafts.push(problemError(at, iss.message));
    }
  }
  return drafts;
}

function suggestKey(key: string, allowed: string[]): string {
  if (allowed.length === 0) return "";
  const scored = allowed.map((k) => ({ k, d: editDistance(key.toLowerCase(), k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  if (best && best.d <= Math.max(2, Math.floor(key.length / 3))) return `; did you mean "${best.k}"?`;
  return `; allowed here: ${allowed.join(", ")}`;
}

/** The keys a mapping at `path` may hold, found by walking the schema alongside the raw data. */
function allowedKeysAt(schema: z.ZodType, path: readonly PathSegment[], raw: unknown): string[] {
  let node: z.ZodType | undefined = unwrap(schema, raw);
  let value: unknown = raw;
  for (const seg of path) {
    value = value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[seg] : undefined;
    if (node instanceof z.ZodObject) node = node.shape[String(seg)] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
    if (node) node = unwrap(node, value);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** Through optional/default/transform wrappers to the object; a union picks the branch whose `type` matches. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (s instanceof z.ZodUnion) {
      const type = value !== null && typeof value === "object" ? (value as Record<string, unknown>)["type"] : undefined;
      const objects = (s.options as z.ZodType[]).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
      const match = objects.find((o) => {
        const t = o.shape["type"];
        return t instanceof z.ZodLiteral && t.values.has(type as never);
      });
      return match ?? undefined;
    } else return s;
  }
  return s;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

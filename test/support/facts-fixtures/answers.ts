/**
 * The real facts.sh's committed answers (test/fixtures/facts/hosts/), as templates the fake
 * hosts fill: a variant's lines, each hole's literal replaced by the fake's value (cases.ts).
 * Pure: reads files, starts nothing (the unit tests use it).
 */
import { readFileSync } from "node:fs";
import { FACTS_HOST_CASES } from "./cases.js";
import type { FactsHostCase, Hole, Variant } from "./cases.js";
import { committedAnswerPath } from "./paths.js";

/** A hole's value: text (base64'd or octal as its hole says), or for a list one record per item. */
export type HoleValue = string | number | ReadonlyArray<Readonly<Record<string, string>>>;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function literalOf(hole: Hole): string {
  if (typeof hole === "string") return hole;
  if ("base64" in hole) return b64(hole.base64);
  if ("octal" in hole) return hole.octal.toString(8);
  return hole.item;
}

function linesOf(v: Variant, answer: string): string[] {
  return answer.split("\n").filter((l) => l.includes(v.find));
}

/** Each literal replaced by its value, in the holes' order, none seen again in what was filled before. */
function fill(text: string, holes: ReadonlyArray<readonly [string, string]>, what: string): string {
  let out = text;
  const values: string[] = [];
  for (const [literal, value] of holes) {
    if (!out.includes(literal)) throw new Error(`${what}: ${JSON.stringify(literal)} is not in facts.sh's answer ${JSON.stringify(out)}`);
    out = out.split(literal).join(`\u0000${String.fromCharCode(65 + values.length)}\u0000`);
    values.push(value);
  }
  return out.replace(/\u0000([A-Z])\u0000/g, (_m, i: string) => values[i.charCodeAt(0) - 65] ?? "");
}

function valueOf(hole: Hole, value: HoleValue | undefined, what: string): string {
  if (value === undefined) throw new Error(`${what}: no value given`);
  if (typeof hole === "string") return String(value);
  if ("base64" in hole) return b64(String(value));
  if ("octal" in hole) return Number(value).toString(8);
  if (!Array.isArray(value)) throw new Error(`${what}: a list hole needs one record per item`);
  return (value as ReadonlyArray<Record<string, string>>)
    .map((item) =>
      fill(
        hole.item,
        Object.entries(hole.holes).map(([name, literal]) => [literal, item[name] ?? ""] as const),
        what,
      ),
    )
    .join("");
}

/** What is wrong with a case's variants on this answer of facts.sh: a line that is no one variant's, a literal it lacks. */
export function checkVariants(c: FactsHostCase, answer: string): string[] {
  const problems: string[] = [];
  for (const line of answer.split("\n").filter(Boolean)) {
    const of = c.variants.filter((v) => line.includes(v.find)).map((v) => v.name);
    if (of.length !== 1) problems.push(`the answer's line ${JSON.stringify(line)} is of ${of.length} variants (${of.join(", ")}), not one`);
  }
  for (const v of c.variants) {
    const lines = linesOf(v, answer);
    if (lines.length === 0) problems.push(`variant "${v.name}": no line of the answer holds ${JSON.stringify(v.find)}`);
    for (const hole of Object.values(v.holes)) {
      // A base64 literal must be the whole field: one of a shorter text can be the start of a longer one's.
      if (typeof hole === "object" && "base64" in hole && !lines.some((l) => l.split("\t").includes(literalOf(hole))))
        problems.push(`variant "${v.name}": no field of the answer is the base64 of ${JSON.stringify(hole.base64)}`);
    }
    try {
      fill(
        lines.join("\n"),
        Object.entries(v.holes).map(([, hole]) => [literalOf(hole), ""] as const),
        `variant "${v.name}"`,
      );
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

interface Template {
  text: string;
  holes: Record<string, Hole>;
}

let templates: Map<string, Template> | undefined;

function loadTemplates(): Map<string, Template> {
  const map = new Map<string, Template>();
  for (const c of FACTS_HOST_CASES) {
    const answer = readFileSync(committedAnswerPath(c.name), "utf8");
    for (const v of c.variants) if (!map.has(v.name)) map.set(v.name, { text: linesOf(v, answer).join("\n"), holes: v.holes });
  }
  return map;
}

/** The lines facts.sh answers for this variant (cases.ts), with the fake host's values; "\n" after each. */
export function factsLines(variant: string, values: Readonly<Record<string, HoleValue>>): string {
  templates ??= loadTemplates();
  const t = templates.get(variant);
  if (!t) throw new Error(`no captured facts.sh answer for "${variant}" (test/support/facts-fixtures/cases.ts)`);
  const what = `facts variant "${variant}"`;
  const holes = Object.entries(t.holes).map(([name, hole]) => [literalOf(hole), valueOf(hole, values[name], `${what}, ${name}`)] as const);
  return `${fill(t.text, holes, what)}\n`;
}

#!/usr/bin/env node
/**
 * Moves test files with `git mv` and rewrites every relative import under test/ so it still
 * points at the same module: `node scripts/move-tests.mjs MAP` where MAP has one `old new`
 * pair of paths (from the project root) a line. Kept for replaying a test written against the
 * old layout: add its line and run again (a file not in MAP keeps its place, its imports are
 * still rewritten).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const mapFile = process.argv[2];
if (!mapFile) {
  console.error("usage: node scripts/move-tests.mjs MAP   (MAP: one 'old new' pair of paths a line)");
  process.exit(2);
}

/** old absolute path → new absolute path */
const moves = new Map();
for (const line of readFileSync(mapFile, "utf8").split("\n")) {
  const [from, to] = line.trim().split(/\s+/);
  if (!from || line.trim().startsWith("#")) continue;
  if (!to) throw new Error(`${mapFile}: '${line}' has no new path`);
  moves.set(resolve(root, from), resolve(root, to));
}

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

const after = (p) => moves.get(p) ?? p;
/** A specifier names a module by its compiled name (x.js); the source is x.ts. */
const source = (p) => (p.endsWith(".js") ? p.slice(0, -3) + ".ts" : p);
const compiled = (p) => (p.endsWith(".ts") ? p.slice(0, -3) + ".js" : p);

const SPECIFIER = /((?:from|import)\s*\(?\s*|new URL\(\s*)(["'])(\.\.?\/[^"']+)\2/g;

// Rewrite first (every file read at its old place), then move.
for (const file of tsFiles(join(root, "test"))) {
  const text = readFileSync(file, "utf8");
  const newFile = after(file);
  const rewritten = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
    const target = resolve(dirname(file), spec);
    const moved = after(source(target));
    const newTarget = moved === source(target) ? target : compiled(moved);
    let rel = relative(dirname(newFile), newTarget);
    if (!rel.startsWith(".")) rel = "./" + rel;
    return `${lead}${quote}${rel}${quote}`;
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}
for (const [from, to] of moves) {
  if (!existsSync(from)) throw new Error(`${relative(root, from)} does not exist`);
  mkdirSync(dirname(to), { recursive: true });
  execFileSync("git", ["mv", from, to], { cwd: root, stdio: "inherit" });
}

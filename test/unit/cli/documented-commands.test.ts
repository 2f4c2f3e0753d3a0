/**
 * The documents agree with the code: every `harbor-ha …` command that README.md, docs/ or an
 * example inventory shows parses with the real commander program (the command exists, takes
 * those flags and that many arguments), and every example inventory validates.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { projectRoot } from "../../../src/paths.js";
import { buildProgram } from "../../../src/cli/program.js";
import { runCli } from "../../e2e/helpers/cli.js";

interface ShownCommand {
  where: string;
  argv: string[];
}

const root = projectRoot();
const documents = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const examples = readdirSync(join(root, "inventory")).filter((f) => f.endsWith(".yaml"));

/** `harbor-ha …` lines of fenced code blocks and inline code spans, as argument lists. */
export function shownCommands(markdown: string, file: string): ShownCommand[] {
  const found: ShownCommand[] = [];
  let fenced = false;
  markdown.split("\n").forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.trimStart().startsWith("```")) {
      fenced = !fenced;
      return;
    }
    const candidates = fenced ? [line] : [...line.matchAll(/`(harbor-ha [^`]+)`/g)].map((m) => m[1] ?? "");
    for (const text of candidates) {
      const argv = commandWords(text);
      if (argv !== undefined) found.push({ where, argv });
    }
  });
  return found;
}

/**
 * The words after `harbor-ha` on a shown line: without a `$ ` prompt, a trailing `# comment`,
 * a pipe into another program, `[ ]` around optional parts, and with the first of `a\|b`
 * alternatives (a table cell's escaped bar).
 */
function commandWords(line: string): string[] | undefined {
  const m = /^\s*(?:\$\s+)?harbor-ha\s+(.*)$/.exec(line);
  // `harbor-ha <command> --help` speaks of every command: a placeholder, not a command line.
  if (!m?.[1] || m[1].startsWith("<")) return undefined;
  const text = (m[1].split(/\s#\s|\s\|\s/)[0] ?? "").replace(/[[\]]/g, " ");
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.split("\\|")[0] ?? w);
}

/** The program with every action replaced by nothing and its output kept: parsing only. */
function parsingProgram(): Command {
  const program = buildProgram();
  const quiet = (c: Command) => c.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  quiet(program);
  for (const c of program.commands) quiet(c.action(() => {}));
  return program;
}

describe("the documents show commands that exist", () => {
  const shown = [
    ...documents.flatMap((f) => shownCommands(readFileSync(join(root, f), "utf8"), f)),
    ...examples.flatMap((f) =>
      shownCommands(
        readFileSync(join(root, "inventory", f), "utf8")
          .split("\n")
          .map((l) => l.replace(/^#\s?/, ""))
          .join("\n"),
        `inventory/${f}`,
      ),
    ),
  ];

  it("finds the README's commands (the reader's first ones among them)", () => {
    const readme = shown.filter((s) => s.where.startsWith("README.md")).map((s) => s.argv.join(" "));
    assert.ok(readme.includes("validate inventory/example.yaml"), readme.join("\n"));
    assert.ok(readme.includes("provision inventory.yaml --dry-run"), readme.join("\n"));
    assert.ok(readme.length >= 15, `only ${readme.length} found`);
  });

  for (const { where, argv } of shown) {
    it(`${where}: harbor-ha ${argv.join(" ")}`, async () => {
      const program = parsingProgram();
      // Prose names a command alone ("`harbor-ha provision` does…"): it must exist.
      if (argv.length === 1)
        assert.ok(
          program.commands.some((c) => c.name() === argv[0]),
          `no command ${argv[0]}`,
        );
      else await assert.doesNotReject(program.parseAsync(argv, { from: "user" }));
    });
  }

  it("would catch a flag the program does not have", async () => {
    await assert.rejects(parsingProgram().parseAsync(["status", "inventory.yaml", "--serial", "2"], { from: "user" }), /unknown option '--serial'/);
    await assert.rejects(parsingProgram().parseAsync(["provision"], { from: "user" }), /missing required argument 'inventory'/);
  });
});

describe("every example inventory validates", () => {
  for (const file of examples) {
    it(`inventory/${file}`, async () => {
      const r = await runCli(["validate", join(root, "inventory", file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /: valid — /);
    });
  }
});

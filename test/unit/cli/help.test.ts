/**
 * `--help` as an operator reads it, at a narrow and a wide terminal: wrapped once (filled lines,
 * nothing past the width), every command with its exit codes and two examples, and the top-level
 * help naming every exit code a command can end with.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CommanderError } from "commander";
import type { Command } from "commander";
import { buildProgram } from "../../../src/cli/program.js";

/** The help `harbor-ha [name] --help` prints in a terminal of width columns. */
async function helpText(name: string | undefined, width: number): Promise<string> {
  const program = buildProgram();
  let text = "";
  const capture = (c: Command) => c.configureOutput({ writeOut: (s) => (text += s), writeErr: () => {}, getOutHelpWidth: () => width });
  capture(program);
  for (const c of program.commands) capture(c);
  await assert.rejects(
    program.parseAsync(name ? [name, "--help"] : ["--help"], { from: "user" }),
    (e) => e instanceof CommanderError && e.exitCode === 0,
  );
  return text;
}

const names = buildProgram()
  .commands.map((c) => c.name())
  .filter((n) => n !== "help");

/** Lines of prose (column 0) followed by more of the same paragraph that would have fitted on them. */
function raggedLines(text: string, width: number): string[] {
  const lines = text.split("\n");
  return lines.flatMap((line, i) => {
    const next = lines[i + 1] ?? "";
    const prose = (l: string) => /^[^\s$]/.test(l) && !l.endsWith(":");
    if (!prose(line) || !prose(next)) return [];
    const firstWord = next.split(" ")[0] ?? "";
    return line.length + 1 + firstWord.length <= width ? [`${line}⏎${next}`] : [];
  });
}

/** The exit codes a help text lists in its "Exit status:" rows. */
function listedExitCodes(text: string): string[] {
  const section = text.split(/^Exit status\b.*:$/m)[1] ?? "";
  return [...section.matchAll(/^ {2}(\d+) {2,}\S/gm)].map((m) => m[1] ?? "");
}

describe("--help", () => {
  for (const width of [80, 132]) {
    for (const name of [undefined, ...names]) {
      it(`harbor-ha ${name ?? ""} --help at ${width} columns: filled lines, none past the width`, async () => {
        const text = await helpText(name, width);
        assert.deepEqual(
          text.split("\n").filter((l) => l.length > width),
          [],
        );
        assert.deepEqual(raggedLines(text, width), []);
      });
    }
  }

  for (const name of names) {
    it(`harbor-ha ${name} --help lists its exit codes and two examples`, async () => {
      const text = await helpText(name, 80);
      const codes = listedExitCodes(text);
      assert.ok(codes.includes("0") && codes.includes("2"), `exit codes listed: ${codes.join(", ")}`);
      const examples = text.split("\n").filter((l) => l.startsWith(`  $ harbor-ha ${name} `));
      assert.ok(examples.length >= 2, `examples:\n${examples.join("\n")}`);
    });
  }

  it("the top-level help names every exit code a command lists", async () => {
    const top = listedExitCodes(await helpText(undefined, 80));
    const codes = new Set((await Promise.all(names.map((n) => helpText(n, 80)))).flatMap(listedExitCodes));
    assert.ok(codes.has("3") && codes.has("130"), [...codes].join(", "));
    for (const code of codes) assert.ok(top.includes(code), `top-level help omits exit code ${code}`);
  });
});

/**
 * Whether a program a node needs answers `--version` with a version it can read, from the
 * facts (facts.sh asks each program once; the answers are cached by the program file's
 * identity). What the generations' prerequisite checks share. Pure.
 */
import type { VersionFact } from "./types.js";
import type { Version } from "./versions.js";

export interface PrerequisiteProblem {
  message: string;
  hint: string;
}

export const versionText = (v: readonly number[]) => v.join(".");

export interface Wanted {
  need: string;
  install: string;
}

export function checkProgram(
  fact: VersionFact | undefined,
  name: string,
  parse: (output: string) => Version | undefined,
  wanted: Wanted,
): { problem?: PrerequisiteProblem; version?: Version } {
  if (fact === undefined) return {};
  if (!fact.found) return { problem: { message: `has no ${name} command (Harbor's install.sh needs ${wanted.need})`, hint: wanted.install } };
  const version = parse(fact.output);
  if (fact.exitCode !== 0 || version === undefined) {
    return {
      problem: {
        message:
          `\`${name} --version\` ${fact.exitCode !== 0 ? `fails (exit ${fact.exitCode})` : "prints no version"}: ` +
          `${firstLine(fact.output) || "no output"}`,
        hint: `install.sh stops when it cannot read ${name}'s version. ${wanted.install}`,
      },
    };
  }
  return { version };
}

export function firstLine(output: string): string {
  return (
    output
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? ""
  );
}

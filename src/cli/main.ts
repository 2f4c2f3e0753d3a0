/**
 * The entry point: commander wiring and the one place that turns errors into
 * output and an exit code. Commands throw; only this file exits.
 */
import { CommanderError } from "commander";
import { HarborHaError } from "../errors.js";
import { buildProgram } from "./program.js";
import { printError } from "./print-error.js";

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    printError(err);
    return err instanceof HarborHaError ? err.exitCode : 1;
  }
}

import { HarborHaError, InventoryError } from "../errors.js";
import { formatProblems } from "./format-problems.js";

/** Prints an error for the operator: the message, the details, what to do next. Never a stack for known errors. */
export function printError(err: unknown): void {
  if (err instanceof InventoryError) {
    process.stderr.write(formatProblems(err.file, err.problems));
    process.stderr.write(`\n${err.message}.\n`);
  } else if (err instanceof HarborHaError) {
    process.stderr.write(`error: ${err.message}\n`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`internal error: ${e.stack ?? e.message}\n`);
    process.stderr.write("This is a bug in harbor-ha; please report it with the command you ran.\n");
    return;
  }
  if (err.hint) process.stderr.write(`${err.hint}\n`);
}

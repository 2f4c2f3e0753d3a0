import { HarborHaError, InventoryError } from "../errors.js";
import type { Redactor } from "../inventory/secret.js";
import { formatProblems } from "./format-problems.js";

/**
 * The run's redactor, once the command has read its inventory (command-run.ts): the error that
 * ends a run is printed after the run itself is gone, and must be masked as every other line.
 */
let runRedactor: Redactor | undefined;

export function redactErrorsWith(redactor: Redactor): void {
  runRedactor = redactor;
}

const stderr = { write: (text: string) => process.stderr.write(runRedactor === undefined ? text : runRedactor.redact(text)) };

/** Prints an error for the operator: the message, the details, what to do next. Never a stack for known errors. Masked by the run's redactor. */
export function printError(err: unknown): void {
  if (err instanceof InventoryError) {
    stderr.write(formatProblems(err.file, err.problems));
    stderr.write(`\n${err.message}.\n`);
  } else if (err instanceof HarborHaError) {
    stderr.write(`error: ${err.message}\n`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    stderr.write(`internal error: ${e.stack ?? e.message}\n`);
    stderr.write("This is a bug in harbor-ha; please report it with the command you ran.\n");
    return;
  }
  if (err.hint) stderr.write(`${err.hint}\n`);
}

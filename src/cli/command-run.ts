/**
 * What every command that works on hosts does first: read the inventory (printing its
 * warnings), build the Redactor that guards all output, check numeric flags, and, with -v,
 * log every remote command masked.
 */
import { readInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/model.js";
import { Redactor } from "../inventory/secret.js";
import { collectSecrets } from "../apply/secrets.js";
import { EXIT_INTERRUPTED, UsageError } from "../errors.js";
import type { CommandLogEvent } from "../remote/transport.js";
import { formatProblems } from "./format-problems.js";

export interface CommandRun {
  inventory: Inventory;
  redactor: Redactor;
  /** For the options of a remote run: a masked command log with -v, nothing without. */
  logOption(verbose: boolean): { log?: (e: CommandLogEvent) => void };
}

export async function openCommandRun(file: string): Promise<CommandRun> {
  const { inventory, warnings } = await readInventory(file);
  process.stderr.write(formatProblems(inventory.path, warnings));
  const redactor = new Redactor().add(...collectSecrets(inventory));
  return {
    inventory,
    redactor,
    logOption: (verbose) =>
      verbose ? { log: (e) => process.stderr.write(redactor.redact(`  [${e.host}] $ ${summarizeCommand(e.command)}\n`)) } : {},
  };
}

/**
 * Whether the operator pressed Ctrl-C: bin/harbor-ha.js sets exit status 130 on the first
 * SIGINT (the second exits at once). Runs check it before each step and before the lock.
 */
export function interruptedByOperator(): boolean {
  return process.exitCode === EXIT_INTERRUPTED;
}

export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  return n;
}

/** -v shows every command; a multi-line script (the facts script, the atomic upload) as its first line. */
export function summarizeCommand(command: string): string {
  const lines = command.split("\n");
  if (lines.length === 1) return command;
  return `${lines[0]} … (${lines.length - 1} more lines)`;
}

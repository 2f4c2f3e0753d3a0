/**
 * What every command that works on hosts does first: read the inventory (printing its
 * warnings), build the Redactor that guards all output, check numeric flags. (With -v the
 * progress renderer shows every remote command, masked: report/progress.ts.)
 */
import { readInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/model.js";
import { Redactor } from "../inventory/secret.js";
import { collectSecrets } from "../run/collect-secrets.js";
import { EXIT_INTERRUPTED, UsageError } from "../errors.js";
import { formatProblems } from "./format-problems.js";
import { redactErrorsWith } from "./print-error.js";

export interface CommandRun {
  inventory: Inventory;
  redactor: Redactor;
}

export async function openCommandRun(file: string): Promise<CommandRun> {
  const { inventory, warnings } = await readInventory(file);
  process.stderr.write(formatProblems(inventory.path, warnings));
  const redactor = new Redactor().add(...collectSecrets(inventory));
  redactErrorsWith(redactor);
  return { inventory, redactor };
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

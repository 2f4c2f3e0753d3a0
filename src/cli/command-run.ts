/**
 * What every command that works on hosts does first: check where `--json FILE` will go, read
 * the inventory (printing its warnings), build the Redactor that guards all output, check
 * numeric flags. (With -v the
 * progress renderer shows every remote command, masked: report/progress.ts.)
 */
import { readInventory } from "../inventory/load.js";
import type { Inventory } from "../inventory/model.js";
import { Redactor } from "../inventory/secret.js";
import { collectSecrets } from "../run/collect-secrets.js";
import { EXIT_INTERRUPTED, UsageError } from "../errors.js";
import { formatProblems } from "./format-problems.js";
import { selectHosts } from "../inventory/host-limit.js";
import { describeResolvedAddresses, resolveHostAddresses } from "../remote/addresses.js";
import { readSshConfigFor } from "../remote/target.js";
import { redactErrorsWith } from "./print-error.js";
import { checkJsonTarget } from "./report/json.js";

export interface CommandRun {
  inventory: Inventory;
  redactor: Redactor;
}

export async function openCommandRun(file: string, flags: { json?: string | boolean } = {}): Promise<CommandRun> {
  // A report that could not be written at the end is refused now, before any host is reached (exit 2).
  await checkJsonTarget(flags.json, [file]);
  const inventory = await readResolvedInventory(file);
  const redactor = new Redactor().add(...collectSecrets(inventory));
  redactErrorsWith(redactor);
  return { inventory, redactor };
}

/**
 * The inventory (its warnings printed) with host addresses given as names resolved, once, and
 * shown with the address the run uses.
 */
export async function readResolvedInventory(file: string): Promise<Inventory> {
  const { inventory: read, warnings } = await readInventory(file);
  process.stderr.write(formatProblems(read.path, warnings));
  const inventory = await resolveHostAddresses(read, readSshConfigFor(read));
  for (const line of describeResolvedAddresses(inventory)) process.stderr.write(`note: ${line}\n`);
  return inventory;
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

/** --limit, checked against the inventory's hosts (exit 2 naming them when it selects none); undefined: every host. */
export function limitOf(raw: string | undefined, inv: Inventory, opts: { allowAddresses?: boolean } = {}): string[] | undefined {
  if (raw === undefined) return undefined;
  const known = [...inv.data.load_balancers, ...inv.data.harbor_nodes].map((h) => h.name);
  const { names, addresses } = selectHosts(raw, known, opts);
  return [...names, ...addresses];
}

/**
 * The upgrade under way, kept in the state folder (upgrades/in-progress.json, 0600) from the
 * moment its backup is verified until it ends (verified, or rolled back): which release change,
 * and which backup a rollback restores. A run that was stopped (Ctrl-C, a killed process, a
 * failed node) continues with that backup instead of taking one of a database it already
 * changed. Local I/O at the edge.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DatabaseBackup } from "../plan/upgrade/backup.js";

export interface UpgradeJournal {
  from: string;
  to: string;
  backup: DatabaseBackup;
  startedAt: string;
  /** The node upgraded first: the one a rollback puts back on `from`. */
  firstNode?: string;
  strategy?: "rolling" | "stop-all";
  /** stop-all: every node the upgrade stops. */
  stopped?: Array<{ name: string; address: string }>;
}

function journalPath(stateDir: string): string {
  return join(stateDir, "upgrades", "in-progress.json");
}

export async function readUpgradeJournal(stateDir: string): Promise<UpgradeJournal | undefined> {
  try {
    const j = JSON.parse(await readFile(journalPath(stateDir), "utf8")) as Partial<UpgradeJournal>;
    if (typeof j.from !== "string" || typeof j.to !== "string" || typeof j.backup?.file !== "string") return undefined;
    return j as UpgradeJournal;
  } catch {
    return undefined;
  }
}

export async function writeUpgradeJournal(stateDir: string, journal: UpgradeJournal): Promise<void> {
  await mkdir(join(stateDir, "upgrades"), { recursive: true, mode: 0o700 });
  await writeFile(journalPath(stateDir), `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
}

export async function clearUpgradeJournal(stateDir: string): Promise<void> {
  await rm(journalPath(stateDir), { force: true });
}

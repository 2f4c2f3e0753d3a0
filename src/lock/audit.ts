/**
 * The audit log: one line per change per host (who, when, what), appended to
 * /var/log/harbor-ha/audit.log on the host that changed.
 */
import type { SshPool } from "../remote/pool.js";
import type { Transport } from "../remote/transport.js";
import { appendAuditCommand, formatAuditLine } from "./commands.js";
import { currentOperator } from "./owner.js";
import { byHost } from "../remote/host-results.js";

/** Longest `change` text written; longer lists of steps are cut with "…". */
export const AUDIT_CHANGE_MAX_CHARS = 400;

export async function appendAudit(session: Transport, entry: { command: string; change: string }): Promise<void> {
  const line = formatAuditLine({ time: new Date(), operator: currentOperator(), command: entry.command, change: entry.change });
  await session.runChecked(appendAuditCommand(line), { sudo: true, step: "append to the audit log" });
}

/** A host's step titles as one short change text: "write /etc/a; reload keepalived (+3 more)". */
export function summarizeChanges(titles: readonly string[], maxChars: number = AUDIT_CHANGE_MAX_CHARS): string {
  let text = "";
  let shown = 0;
  for (const t of titles) {
    const next = shown === 0 ? t : `${text}; ${t}`;
    if (next.length > maxChars && shown > 0) break;
    text = next.length > maxChars ? `${next.slice(0, maxChars - 1)}…` : next;
    shown++;
  }
  return shown < titles.length ? `${text} (+${titles.length - shown} more)` : text;
}

/**
 * One audit line on each host that changed; best effort (the changes are made already):
 * returns the hosts where the line could not be written, with the reason.
 */
export async function appendAuditLines(
  pool: SshPool,
  command: string,
  changesByHost: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, Error>> {
  const hosts = [...changesByHost].filter(([, titles]) => titles.length > 0).map(([h]) => h);
  // Straight to the sessions: a run interrupted by Ctrl-C still records what it changed.
  const settled = await Promise.allSettled(
    hosts.map(async (h) => appendAudit(await pool.session(h), { command, change: summarizeChanges(changesByHost.get(h) ?? []) })),
  );
  return byHost(hosts, settled).failures;
}

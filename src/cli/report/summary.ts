/** The table a run ends with: host, role, result, changes, time. Pure. */
import type { HostOutcome } from "../../events.js";
import { formatMs } from "./progress.js";

/** The database step's result: a load or re-initialise is a change, named above the last line. */
export interface DatabaseSummary {
  changed: boolean;
  message: string;
}

export function formatSummary(outcomes: readonly HostOutcome[], database?: DatabaseSummary): string {
  const rows = [
    ["HOST", "ROLE", "RESULT", "CHANGES", "TIME"],
    ...outcomes.map((o) => [o.host, o.role, o.status, String(o.changes.length), formatMs(o.ms)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const changed = outcomes.filter((o) => o.status === "changed").length;
  const failed = outcomes.filter((o) => o.status === "failed").length;
  lines.push("");
  const dbChanged = database?.changed === true;
  if (dbChanged) lines.push(`Database changed: ${database.message}.`);
  const hosts = `${changed} host${changed === 1 ? "" : "s"} changed.`;
  lines.push(
    failed > 0
      ? `${failed} host${failed === 1 ? "" : "s"} failed, ${changed} changed.`
      : changed > 0
        ? hosts
        : dbChanged
          ? "No host changed."
          : "No change: nothing was written and nothing restarted.",
  );
  return lines.join("\n") + "\n";
}

/** The plan as an operator reads it (--dry-run, and before a real run with -v). Pure. */
import type { Plan } from "../../steps/types.js";
import type { DatabasePlan } from "../../db/plan.js";

export function formatPlan(plan: Plan, db: DatabasePlan): string {
  const out: string[] = [];
  out.push(`database (${db.action}): ${db.reason}`);
  for (const w of db.warnings) out.push(`  warning: ${w}`);
  for (const h of plan.hosts) {
    const head = `${h.host.name} (${h.host.role}, ${h.host.address})`;
    if (h.steps.length === 0) {
      out.push(`\n${head}: no changes`);
      continue;
    }
    // Checks (the shared-storage marker before another node's install) run, but change nothing of the host's own.
    const checks = h.steps.filter((s) => s.kind === "check").length;
    const changes = h.steps.length - checks;
    const counted = changes === 0 ? "no changes" : `${changes} change${changes === 1 ? "" : "s"}`;
    out.push(`\n${head}: ${counted}${checks > 0 ? `, ${checks} check${checks === 1 ? "" : "s"}` : ""}`);
    for (const s of h.steps) {
      out.push(`  [${s.phase}] ${s.title}`);
      out.push(`      because: ${s.reason}`);
      if (s.diff)
        out.push(
          s.diff
            .split("\n")
            .map((l) => `      ${l}`)
            .join("\n"),
        );
    }
  }
  const changing = plan.hosts.filter((h) => h.steps.some((s) => s.kind !== "check")).length;
  out.push("");
  out.push(
    changing === 0 && db.action === "skip"
      ? "Nothing to change: every host is as the inventory describes."
      : `${changing} of ${plan.hosts.length} hosts would change${db.action === "skip" ? "" : ", and the database"}.`,
  );
  return out.join("\n") + "\n";
}

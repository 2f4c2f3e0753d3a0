/** The plan as an operator reads it (--dry-run, and before a real run with -v). Pure. */
import type { Plan } from "../../plan/types.js";
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
    out.push(`\n${head}: ${h.steps.length} change${h.steps.length === 1 ? "" : "s"}`);
    for (const s of h.steps) {
      out.push(`  [${s.phase}] ${s.title}`);
      out.push(`      because: ${s.reason}`);
      if (s.diff) out.push(s.diff.split("\n").map((l) => `      ${l}`).join("\n"));
    }
  }
  const changing = plan.hosts.filter((h) => h.steps.length > 0).length;
  out.push("");
  out.push(changing === 0 && db.action === "skip" ? "Nothing to change: every host is as the inventory describes." : `${changing} of ${plan.hosts.length} hosts would change${db.action === "skip" ? "" : ", and the database"}.`);
  return out.join("\n") + "\n";
}

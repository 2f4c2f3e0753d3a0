import { relative } from "node:path";
import type { InventoryProblem } from "../errors.js";

/** `error    inventory.yaml:12  load_balancers[1].priority: must be between 1 and 254`, errors first. */
export function formatProblems(file: string, problems: readonly InventoryProblem[]): string {
  const shown = relative(process.cwd(), file) || file;
  const sorted = [...problems].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || a.path.localeCompare(b.path));
  return sorted
    .map((p) => {
      const where = p.line === undefined ? shown : `${shown}:${p.line}`;
      const path = p.path === "" ? "" : `${p.path}: `;
      return `${p.severity.padEnd(8)} ${where}  ${path}${p.message}\n`;
    })
    .join("");
}

function rank(p: InventoryProblem): number {
  return p.severity === "error" ? 0 : 1;
}

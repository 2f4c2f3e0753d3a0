/**
 * The real facts.sh's answer for a captured host (cases.ts), and where it is committed. Starts
 * processes (unshare, chroot): for the tool tests and scripts/capture-facts-fixtures, never the
 * unit tests, which read the committed answers (answers.ts).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FactsHostCase } from "./cases.js";

const IN_NAMESPACE = fileURLToPath(new URL("./in-namespace.js", import.meta.url));

/** facts.sh's stdout on the case's root, identities masked; throws with facts.sh's or the setup's error. */
export function runFactsOnCase(c: FactsHostCase): string {
  const r = spawnSync("unshare", ["--net", "--mount", "--fork", process.execPath, IN_NAMESPACE, c.name], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`facts.sh on the captured host ${c.name} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

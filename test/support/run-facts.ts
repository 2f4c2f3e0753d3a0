/** Runs templates/remote/facts.sh locally (it is read-only), as gather.ts runs it over SSH. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { encodeQueries } from "../../src/facts/queries.js";
import type { FactQuery } from "../../src/facts/queries.js";
import { projectRoot } from "../../src/paths.js";

export const FACTS_SCRIPT_PATH = join(projectRoot(), "templates", "remote", "facts.sh");
export const FACTS_FIXTURE_DIR = join(projectRoot(), "test", "fixtures", "facts");

/** facts.sh's raw stdout for these queries; throws when it exits non-zero or writes to stderr. */
export function runFactsScript(queries: readonly FactQuery[]): string {
  const r = spawnSync("sh", [FACTS_SCRIPT_PATH], { input: encodeQueries(queries), encoding: "utf8", timeout: 20_000 });
  if (r.error) throw r.error;
  if (r.status !== 0 || r.stderr !== "") throw new Error(`facts.sh exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

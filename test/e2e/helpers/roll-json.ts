/**
 * A rolling run's --json against its --dry-run's: the dry run's plan is what the run executed —
 * the same stages, hosts and steps in the same order, each one done, and nothing the plan did
 * not hold.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** The one --json shape (docs/report.schema.json), as far as a roll's comparison reads it. */
interface RollJson {
  run: { ok: boolean; dryRun: boolean };
  steps: Array<{ host: string; stage?: string; title: string; status: string }>;
  details: { unplanned: Array<{ host: string; title: string }> };
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RollJson;
const listed = (doc: RollJson) => doc.steps.map((x) => `${x.stage} ${x.host}: ${x.title}`);

export function assertRunMatchesDryRun(dryRunJson: string, runJson: string): void {
  const planned = read(dryRunJson);
  const ran = read(runJson);
  assert.equal(planned.run.dryRun, true);
  assert.equal(ran.run.ok, true);
  assert.ok(listed(planned).length > 0, "the dry run planned steps");
  assert.deepEqual(listed(ran), listed(planned), "the run's steps are the dry run's, in the same order");
  const notDone = ran.steps.filter((x) => x.status !== "done").map((x) => `${x.host}: ${x.title} ${x.status}`);
  assert.deepEqual(notDone, [], "every planned step ran");
  assert.deepEqual(ran.details.unplanned, [], "the run ran no step the plan did not hold");
}

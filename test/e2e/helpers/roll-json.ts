/**
 * A rolling run's --json against its --dry-run's: the dry run's plan is what the run executed —
 * the same stages, hosts and steps in the same order, each one done, and nothing the plan did
 * not hold.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

interface RollJson {
  ok: boolean;
  dryRun: boolean;
  stages: Array<{ name: string; hosts: Array<{ host: string; steps: Array<{ title: string; status: string }> }> }>;
  unplanned: Array<{ host: string; title: string }>;
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RollJson;
const listed = (doc: RollJson) => doc.stages.flatMap((s) => s.hosts.flatMap((h) => h.steps.map((x) => `${s.name} ${h.host}: ${x.title}`)));

export function assertRunMatchesDryRun(dryRunJson: string, runJson: string): void {
  const planned = read(dryRunJson);
  const ran = read(runJson);
  assert.equal(planned.dryRun, true);
  assert.equal(ran.ok, true);
  assert.ok(listed(planned).length > 0, "the dry run planned steps");
  assert.deepEqual(listed(ran), listed(planned), "the run's steps are the dry run's, in the same order");
  const notDone = ran.stages.flatMap((s) =>
    s.hosts.flatMap((h) => h.steps.filter((x) => x.status !== "done").map((x) => `${h.host}: ${x.title} ${x.status}`)),
  );
  assert.deepEqual(notDone, [], "every planned step ran");
  assert.deepEqual(ran.unplanned, [], "the run ran no step the plan did not hold");
}

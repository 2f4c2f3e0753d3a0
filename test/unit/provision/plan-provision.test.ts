/**
 * provision's planning step, pure: from what the preflight read to the plan shown by --dry-run
 * and applied by a real run, or a refusal before the first write (every host "not started").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DatabasePreflight } from "../../../src/db/edge.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { planProvision } from "../../../src/provision/plan-provision.js";
import type { ProvisionPlanContext } from "../../../src/provision/plan-provision.js";
import { ProvisionFailed } from "../../../src/provision/result.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { bundle, desired, factsOfAll, inv, MARKER, matchingFacts, redactor } from "../../support/example.js";

const nodes = inv.data.harbor_nodes.map((n) => n.name);

function database(action: "skip" | "load" | "refuse", reason = `the database: ${action}`): DatabasePreflight {
  return { plan: { action, reason, warnings: [] } } as unknown as DatabasePreflight;
}

/** Every host as desired; harbor.cfg differs on the `changed` nodes (all serving), so their installer runs. */
function facts(changed: readonly string[] = []): Map<string, HostFacts> {
  const all = factsOfAll(matchingFacts);
  const cfg = `${harborDir(inv)}/harbor.cfg`;
  for (const n of changed) {
    const f = all.get(n) as HostFacts;
    f.files[cfg] = { ...f.files[cfg], present: true, sha256: "0".repeat(64) };
  }
  return all;
}

const ctx = (extra: Partial<ProvisionPlanContext> = {}): ProvisionPlanContext => ({
  inv,
  redactor,
  bundle,
  sharedStorageMarker: MARKER,
  serial: 1,
  dryRun: false,
  ...extra,
});

function refusal(e: unknown, pattern: RegExp): boolean {
  assert.ok(e instanceof ProvisionFailed);
  assert.match(e.message, /^preflight failed; nothing was changed on any host:\n/);
  assert.match(e.message, pattern);
  assert.deepEqual(
    e.partial.outcomes.map((o) => o.status),
    desired.hosts.map(() => "not started"),
  );
  return true;
}

test("a converged cluster and a database in place: nothing changes, no warning", () => {
  const planned = planProvision(desired, { facts: facts(), database: database("skip") }, ctx());
  assert.equal(planned.changed, false);
  assert.ok(planned.plan.hosts.every((h) => h.steps.length === 0));
  assert.deepEqual(planned.warnings, []);
});

test("the database alone to load is a change; a database refused stops the run before any write", () => {
  assert.equal(planProvision(desired, { facts: facts(), database: database("load") }, ctx()).changed, true);
  assert.throws(
    () => planProvision(desired, { facts: facts(), database: database("refuse", "registry holds tables of another schema") }, ctx()),
    (e: unknown) => refusal(e, /database: registry holds tables of another schema/),
  );
});

test("more serving nodes to restart than --serial allows: refused by a real run, shown with a warning by a dry run", () => {
  const reading = { facts: facts(nodes), database: database("skip") };
  assert.throws(
    () => planProvision(desired, reading, ctx()),
    (e: unknown) => refusal(e, /more than --serial 1 allows/),
  );
  const dry = planProvision(desired, reading, ctx({ dryRun: true }));
  assert.equal(dry.changed, true);
  assert.equal(dry.warnings.length, 1);
  assert.match(dry.warnings[0] ?? "", /^provision would refuse this plan: .*more than --serial 1 allows.*\n  → Roll it with harbor-ha reconfigure /s);
  assert.deepEqual(planProvision(desired, reading, ctx({ serial: nodes.length })).warnings, [], "--serial N lets N restart together");
});

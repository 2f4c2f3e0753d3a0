/**
 * provision --limit, pure: only the named hosts' steps are planned, the others' said; the load
 * balancers change together; the shared database is left alone without a Harbor node; the
 * shared-storage check keeps the node that writes its marker.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DatabasePreflight } from "../../../src/db/edge.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { KEEPALIVED_CONF_PATH } from "../../../src/desired/paths.js";
import { planProvision } from "../../../src/provision/plan-provision.js";
import type { ProvisionPlanContext } from "../../../src/provision/plan-provision.js";
import { ProvisionFailed } from "../../../src/provision/result.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { bundle, desired, factsOfAll, inv, MARKER, matchingFacts, redactor } from "../../support/example.js";

function database(action: "skip" | "load"): DatabasePreflight {
  return { plan: { action, reason: `the database: ${action}`, warnings: [] } } as unknown as DatabasePreflight;
}

/** Every host as desired, but harbor.cfg differs on `nodes` and keepalived.conf on `lbs`. */
function facts(nodes: readonly string[], lbs: readonly string[] = []): Map<string, HostFacts> {
  const all = factsOfAll(matchingFacts);
  const drift = (host: string, path: string): void => {
    const f = all.get(host) as HostFacts;
    f.files[path] = { ...f.files[path], present: true, sha256: "0".repeat(64) };
  };
  for (const n of nodes) drift(n, `${harborDir(inv)}/harbor.cfg`);
  for (const l of lbs) drift(l, KEEPALIVED_CONF_PATH);
  return all;
}

const ctx = (limit: string[] | undefined): ProvisionPlanContext => ({
  inv,
  redactor,
  bundle,
  sharedStorageMarker: MARKER,
  serial: 1,
  dryRun: false,
  ...(limit ? { limit } : {}),
});

const stepHosts = (p: ReturnType<typeof planProvision>): string[] => p.plan.hosts.filter((h) => h.steps.length > 0).map((h) => h.host.name);

test("--limit harbor2: only harbor2 changes (and the marker writer); harbor3's change is said, not made", () => {
  const reading = { facts: facts(["harbor2", "harbor3"]), database: database("skip") };
  // Without --limit two serving nodes restart at once: refused at --serial 1.
  assert.throws(() => planProvision(desired, reading, ctx(undefined)), ProvisionFailed);
  const planned = planProvision(desired, reading, ctx(["harbor2"]));
  const harbor2 = planned.plan.hosts.find((h) => h.host.name === "harbor2");
  assert.ok(harbor2 && harbor2.steps.some((s) => s.role === "install-run"), "harbor2 runs its installer");
  const harbor3 = planned.plan.hosts.find((h) => h.host.name === "harbor3");
  assert.deepEqual(harbor3?.steps, [], "harbor3 is left as it is");
  assert.ok(
    planned.warnings.some((w) => /^harbor3: \d+ changes? left as they are \(outside --limit\)$/.test(w)),
    planned.warnings.join("\n"),
  );
  // harbor2 reads the marker harbor1 writes: harbor1's only step is writing it.
  const harbor1 = planned.plan.hosts.find((h) => h.host.name === "harbor1");
  assert.deepEqual(
    harbor1?.steps.map((s) => [s.phase, s.role]),
    [["storage", "storage-check"]],
  );
  assert.ok(harbor2.steps.some((s) => s.phase === "storage-check" && /harbor1 wrote/.test(s.title)));
  assert.deepEqual(stepHosts(planned), ["harbor1", "harbor2"]);
});

test("the load balancers change together: a load balancer with changes outside --limit refuses the run", () => {
  const reading = { facts: facts([], ["lb1", "lb2"]), database: database("skip") };
  assert.throws(
    () => planProvision(desired, reading, ctx(["lb1"])),
    (e: unknown) => {
      assert.ok(e instanceof ProvisionFailed);
      assert.match(e.message, /lb2: its load-balancer files would change .* outside --limit: the load balancers change together/);
      assert.match(e.message, /Add lb2 to --limit/);
      return true;
    },
  );
  assert.throws(() => planProvision(desired, reading, ctx(["harbor1"])), /lb1: its load-balancer files would change/);
  assert.deepEqual(stepHosts(planProvision(desired, reading, ctx(["lb1", "lb2"]))), ["lb1", "lb2"]);
  // Only lb1 drifted: fixing lb1 alone brings the two back together.
  assert.deepEqual(stepHosts(planProvision(desired, { facts: facts([], ["lb1"]), database: database("skip") }, ctx(["lb1"]))), ["lb1"]);
});

test("the database is created or loaded only when a Harbor node is inside --limit", () => {
  const reading = { facts: facts([]), database: database("load") };
  const lbsOnly = planProvision(desired, reading, ctx(["lb1", "lb2"]));
  assert.equal(lbsOnly.database.plan.action, "skip");
  assert.match(lbsOnly.database.plan.reason, /^left as it is \(--limit names no Harbor node\)/);
  assert.equal(lbsOnly.changed, false);
  assert.ok(lbsOnly.warnings.some((w) => /^database: .*--limit names no Harbor node/.test(w)));
  const withNode = planProvision(desired, reading, ctx(["harbor1"]));
  assert.equal(withNode.database.plan.action, "load");
  assert.equal(withNode.changed, true);
});

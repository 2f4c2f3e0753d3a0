/** splitForRoll: the shared-storage check runs once before the roll; a node whose storage changes reads the marker in its own plan. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostFacts } from "../../../../src/facts/types.js";
import { INSTALL_STAMP_PATH } from "../../../../src/plan/harbor-node.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import type { Plan } from "../../../../src/steps/types.js";
import { splitForRoll } from "../../../../src/plan/roll/split.js";
import { ctx, desired, factsOfAll, inv, matchingFacts } from "../../../support/example.js";
import { configurationsUrl } from "../../../../src/harbor/v1/settings.js";

const kinds = (p: Plan) =>
  Object.fromEntries(p.hosts.filter((h) => h.steps.length > 0).map((h) => [h.host.name, h.steps.map((s) => `${s.phase}:${s.kind}`)]));

test("every node's storage in place: the whole check before the roll; the node plans keep only their own changes", () => {
  const facts = factsOfAll(matchingFacts);
  (facts.get("harbor2") as HostFacts).stamps[INSTALL_STAMP_PATH] = null;
  const { nodes, storageCheck } = splitForRoll(planCluster(desired, facts, ctx));
  assert.deepEqual(kinds(storageCheck), { harbor1: ["storage:check"], harbor2: ["storage-check:check"], harbor3: ["storage-check:check"] });
  assert.deepEqual(kinds(nodes), { harbor2: ["harbor:install", "harbor:install", "harbor:install"] }, "harbor1 and harbor3 do not roll for a read");
});

test("a node whose mount changes reads the marker during its own roll, after its mount and before its install", () => {
  const facts = factsOfAll(matchingFacts);
  const h3 = facts.get("harbor3") as HostFacts;
  h3.stamps[INSTALL_STAMP_PATH] = null;
  h3.mounts["/data/registry"] = null;
  const { nodes, storageCheck } = splitForRoll(planCluster(desired, facts, ctx));
  assert.deepEqual(kinds(storageCheck), { harbor1: ["storage:check"], harbor2: ["storage-check:check"] });
  assert.deepEqual(
    nodes.hosts.find((h) => h.host.name === "harbor3")?.steps.map((s) => `${s.phase}:${s.kind}`),
    ["storage:mount", "storage-check:check", "harbor:install", "harbor:install", "harbor:install"],
  );
});

test("no installer run: nothing to split", () => {
  const { storageCheck } = splitForRoll(planCluster(desired, factsOfAll(matchingFacts), ctx));
  assert.ok(storageCheck.hosts.every((h) => h.steps.length === 0));
});

test("the database-held settings leave the node plans: applied once after the roll, the node does not roll for them", () => {
  const facts = factsOfAll(matchingFacts);
  const h1 = facts.get("harbor1") as HostFacts;
  h1.api[configurationsUrl(inv)] = { status: 200, body: '{"self_registration":{"value":true,"editable":true}}' };
  const { nodes, settings } = splitForRoll(planCluster(desired, facts, ctx));
  assert.deepEqual(kinds(settings), { harbor1: ["settings:settings"] });
  assert.deepEqual(kinds(nodes), {});
});

/**
 * provision on a running cluster: a Harbor change that would restart more serving nodes than
 * --serial allows is refused (a wrong Redis password once reached all three nodes at once).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { HostFacts } from "../../../src/facts/types.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { restartLimitProblem, servingNodesToRestart } from "../../../src/plan/restart-limit.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { ctx, desired, factsOfAll, inv, matchingFacts } from "../../support/example.js";

const nodes = inv.data.harbor_nodes.map((n) => n.name);
const cfg = `${harborDir(inv)}/harbor.cfg`;

/** Every node converged; harbor.cfg differs on `changed`; Harbor answers on `up`. */
function cluster(changed: readonly string[], up: readonly string[]): Map<string, HostFacts> {
  const facts = factsOfAll(matchingFacts);
  for (const n of nodes) {
    const f = facts.get(n) as HostFacts;
    if (changed.includes(n)) f.files[cfg] = { ...f.files[cfg], present: true, sha256: "0".repeat(64) };
    if (!up.includes(n)) f.http["https://127.0.0.1/api/systeminfo"] = 0;
  }
  return facts;
}

test("restart limit: a harbor.cfg change on every serving node is refused with --serial 1, and names reconfigure", () => {
  const facts = cluster(nodes, nodes);
  const plan = planCluster(desired, facts, ctx);
  assert.deepEqual(servingNodesToRestart(inv, plan, facts), nodes);
  const problem = restartLimitProblem(inv, plan, facts, 1);
  assert.ok(problem);
  assert.match(problem.message, new RegExp(`on ${nodes.length} serving nodes at once \\(${nodes.join(", ")}\\), more than --serial 1 allows`));
  assert.match(problem.hint, /harbor-ha reconfigure .*example\.yaml/);
  assert.equal(restartLimitProblem(inv, plan, facts, nodes.length), undefined, "--serial N lets N restart together");
});

test("restart limit: one node to restart, or nodes Harbor is not serving on (first install, down), pass", () => {
  const one = cluster([nodes[0] as string], nodes);
  assert.equal(restartLimitProblem(inv, planCluster(desired, one, ctx), one, 1), undefined);
  const down = cluster(nodes, []);
  assert.deepEqual(servingNodesToRestart(inv, planCluster(desired, down, ctx), down), []);
});

/**
 * The roll as one value: the stages a scale-out and a certificate rotation plan, with the
 * final load-balancer stage planned from the state the first stage leaves (no second reading
 * of the hosts), in the order the run executes them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HostFacts } from "../../../../src/facts/types.js";
import type { Inventory } from "../../../../src/inventory/model.js";
import { modeOf } from "../../../../src/lb/modes.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import { inventoryWithNodes, readMembership } from "../../../../src/plan/roll/membership.js";
import { planRoll } from "../../../../src/plan/roll/roll-plan.js";
import type { RollPlanInput, RollStage } from "../../../../src/plan/roll/roll-plan.js";
import { limitPlanToTls } from "../../../../src/plan/roll/tls.js";
import { KEEPALIVED_CONF_PATH, LB_CA_PATH } from "../../../../src/desired/paths.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import type { DesiredHost, DesiredState } from "../../../../src/desired/types.js";
import { readFixtureState } from "../../../support/inventories.js";
import { bareFacts, ctx, inv, matchingFacts, redactor } from "../../../support/example.js";

const state = await readFixtureState();
const lbNames = inv.data.load_balancers.map((l) => l.name);
const titles = (stage: RollStage | undefined) =>
  stage?.kind === "loadbalancers" ? stage.hosts.map((h) => [h.host.name, h.steps.map((s) => s.title)]) : undefined;

/** Facts of a host as `d` renders it, with the content of its files that may be shown (facts.sh sends them where they differ from the render asked). */
function factsAs(d: DesiredHost): HostFacts {
  const f = matchingFacts(d);
  for (const file of d.files.filter((x) => !x.sensitive)) f.files[file.path] = { ...f.files[file.path], present: true, content: file.content };
  return f;
}

/** What a roll plans for this inventory, on hosts that match `hostsAs` (a render of some inventory). */
function planFor(target: Inventory, hostsAs: DesiredState, over: Partial<RollPlanInput> = {}) {
  // Hosts `hostsAs` does not render (a node the inventory adds) are bare.
  const facts = new Map<string, HostFacts>(renderDesiredState(target, state).hosts.map((d) => [d.host.name, bareFacts(d)]));
  for (const d of hostsAs.hosts) facts.set(d.host.name, factsAs(d));
  const desired = renderDesiredState(target, state);
  const plan = planCluster(desired, facts, { ...ctx, inv: target });
  const mode = modeOf(target);
  const membership = readMembership(target, mode, new Map([...facts].filter(([h]) => lbNames.includes(h))));
  const input: RollPlanInput = {
    inv: target,
    mode,
    state,
    redactor,
    facts,
    plan,
    membership,
    batches: [],
    inScope: () => true,
    tlsOnly: false,
    purge: false,
    ...over,
  };
  return { rollPlan: planRoll(input), membership };
}

describe("the roll's plan value", () => {
  it("a cluster as rendered: no stage at all", () => {
    assert.deepEqual(planFor(inv, renderDesiredState(inv, state)).rollPlan.stages, []);
  });

  it("scale out: the added node is provisioned and gated first; the load balancers get it in a final stage planned from what the first leaves", () => {
    const serving = renderDesiredState(inventoryWithNodes(inv, inv.data.harbor_nodes.slice(0, -1)), state);
    const added = inv.data.harbor_nodes.at(-1)?.name;
    const { rollPlan, membership } = planFor(inv, serving);
    assert.deepEqual(
      membership.added.map((n) => n.name),
      [added],
    );
    assert.deepEqual(
      rollPlan.stages.map((s) => (s.kind === "loadbalancers" ? s.name : s.kind)),
      ["storage-check", "scale-out", "loadbalancers-final"],
      "the first load-balancer stage has nothing to do: they already hold the serving nodes",
    );
    const scaleOut = rollPlan.stages[1];
    assert.ok(
      scaleOut?.kind === "scale-out" &&
        scaleOut.nodes[0]?.node.name === added &&
        scaleOut.nodes[0]?.steps.some((s) => s.role === "install-run") === true,
    );
    const final = rollPlan.stages[2];
    assert.ok(final?.kind === "loadbalancers" && final.after !== undefined, "the final stage says what it depends on");
    assert.deepEqual(
      titles(final),
      lbNames.map((lb) => [lb, [`write ${KEEPALIVED_CONF_PATH} (0640 root:root)`, "reload keepalived", "check that keepalived still runs"]]),
    );
  });

  it("a changed CA: the load balancers trust old and new while nodes roll, then the new one alone", () => {
    const oldCa = inv.tls?.caPem ?? "";
    assert.ok(oldCa.includes("BEGIN CERTIFICATE"), "the example has a CA");
    const newCa = `${oldCa.trimEnd()}\n# rotated\n`;
    const rotated: Inventory = { ...inv, tls: { ...inv.tls!, caPem: newCa } };
    const before = renderDesiredState(inv, state);
    const facts = new Map(before.hosts.map((d) => [d.host.name, factsAs(d)]));
    const plan = limitPlanToTls(planCluster(renderDesiredState(rotated, state), facts, { ...ctx, inv: rotated }), facts);
    const { rollPlan } = planFor(rotated, before, { tlsOnly: true, plan });
    const lbStages = rollPlan.stages.filter((s): s is Extract<RollStage, { kind: "loadbalancers" }> => s.kind === "loadbalancers");
    assert.deepEqual(
      lbStages.map((s) => s.name),
      ["loadbalancers", "loadbalancers-final"],
    );
    const caWrite = (stage: (typeof lbStages)[number] | undefined) =>
      stage?.hosts[0]?.steps.flatMap((s) => (s.action.type === "upload" && s.action.file.path === LB_CA_PATH ? [s.action.file.content] : []))[0];
    assert.equal(caWrite(lbStages[0]), `${newCa.trimEnd()}\n${oldCa.trimEnd()}\n`, "first: the new CA and the old one");
    assert.equal(caWrite(lbStages[1]), newCa, "final: the new CA alone, planned from what the first stage leaves");
  });
});

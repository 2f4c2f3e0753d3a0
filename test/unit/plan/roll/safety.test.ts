import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { planBatches, refuseUnsafeRoll } from "../../../../src/plan/roll/safety.js";

const n = (name: string) => ({ name, address: name });

describe("roll safety", () => {
  it("batches by --serial, nodes already out of service first", () => {
    const b = planBatches([n("h1"), n("h2"), n("h3"), n("h4"), n("h5")], new Set(["h4"]), 2);
    assert.deepEqual(
      b.map((x) => x.map((y) => y.name)),
      [["h4", "h1"], ["h2", "h3"], ["h5"]],
    );
  });

  it("refuses a serial that would take every healthy node out", () => {
    const batches = planBatches([n("h1"), n("h2"), n("h3")], new Set(), 3);
    const why = refuseUnsafeRoll({ batches, healthy: ["h1", "h2", "h3"], serving: ["h1", "h2", "h3"], serial: 3 });
    assert.match(why ?? "", /draining h1, h2, h3 \(--serial 3\) would leave no healthy node in service \(healthy now: h1, h2, h3; 3 serving\)/);
  });

  it("refuses to drain the last healthy node", () => {
    // h2 is out of service and not part of this roll: draining h1 would leave nothing.
    const why = refuseUnsafeRoll({ batches: [[n("h1")]], healthy: ["h1"], serving: ["h1", "h2"], serial: 1 });
    assert.match(why ?? "", /draining h1 \(--serial 1\) would leave no healthy node in service \(healthy now: h1; 2 serving\)/);
  });

  it("a stopped roll resumes: the drained node rolls first, and then the last healthy one may roll (the first covers it)", () => {
    const batches = planBatches([n("h1"), n("h2")], new Set(["h2"]), 1);
    assert.deepEqual(
      batches.map((b) => b.map((x) => x.name)),
      [["h2"], ["h1"]],
    );
    assert.equal(refuseUnsafeRoll({ batches, healthy: ["h1"], serving: ["h1", "h2"], serial: 1 }), undefined);
  });

  it("allows a roll that always leaves a healthy node in service", () => {
    const batches = planBatches([n("h1"), n("h2"), n("h3")], new Set(["h2"]), 1);
    assert.equal(refuseUnsafeRoll({ batches, healthy: ["h1", "h3"], serving: ["h1", "h2", "h3"], serial: 1 }), undefined);
  });

  it("has nothing to refuse when no node needs to roll", () => {
    assert.equal(refuseUnsafeRoll({ batches: [], healthy: [], serving: ["h1"], serial: 1 }), undefined);
  });
});

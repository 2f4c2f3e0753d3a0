import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EVERY_MS, FIRST_MS, SlowSteps } from "../../../src/cli/report/slow-steps.js";

describe("SlowSteps (a progress line for long steps without a terminal)", () => {
  it("says nothing of a step before FIRST_MS, then names host, step and elapsed time, then every EVERY_MS", () => {
    const slow = new SlowSteps();
    slow.start("harbor1", "install.sh --ha", 0);
    assert.deepEqual(slow.due(FIRST_MS - 1), []);
    assert.deepEqual(slow.due(FIRST_MS), ["  ..   harbor1: install.sh --ha (running for 5 s)"]);
    assert.deepEqual(slow.due(FIRST_MS + 1000), []);
    assert.deepEqual(slow.due(FIRST_MS + EVERY_MS), ["  ..   harbor1: install.sh --ha (running for 35 s)"]);
  });

  it("forgets a step when it is done, and keeps hosts apart", () => {
    const slow = new SlowSteps();
    slow.start("harbor1", "install.sh --ha", 0);
    slow.start("harbor2", "install.sh --ha", 2000);
    slow.done("harbor1", "install.sh --ha");
    assert.deepEqual(slow.due(FIRST_MS), []);
    assert.deepEqual(slow.due(FIRST_MS + 2000), ["  ..   harbor2: install.sh --ha (running for 5 s)"]);
  });
});

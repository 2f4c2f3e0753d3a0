/** Which keepalived daemon options leave its checkers running (a roll waits for them only then). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { daemonOptionsProblem, runsCheckers } from "../../../src/inventory/daemon-options.js";

test("-P/--vrrp (alone or in a group of short options) starts VRRP only: no checker runs", () => {
  for (const options of ["--vrrp", "-P", "-D --vrrp", "-DP", "-S 7 -P", "--log-facility=local1 -P", "-p /run/k.pid --vrrp"]) {
    assert.equal(daemonOptionsProblem(options), undefined, `${options} is accepted`);
    assert.equal(runsCheckers(options), false, options);
  }
});

test("other options leave the checkers running, values included", () => {
  for (const options of ["", "-D", "-D -S 7", "--log-detail --pid /run/P.pid", "-p /run/vrrp.pid", "-c /run/keepalived/checkers.pid -D"]) {
    assert.equal(daemonOptionsProblem(options), undefined, `${options} is accepted`);
    assert.equal(runsCheckers(options), true, options);
  }
});

/**
 * What provision reports per host (issue 19): a node that only wrote (or read) the shared-storage
 * check marker changed nothing it is configured with: "unchanged", not "changed 1".
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dryRunOutcomes, outcomesOf } from "../../../src/provision/result.js";
import type { Plan, Step } from "../../../src/steps/types.js";
import { cmd } from "../../../src/shell/command.js";

const step = (host: string, title: string, kind: Step["kind"]): Step => ({
  host,
  phase: kind === "check" ? "storage-check" : "harbor",
  kind,
  title,
  reason: "because",
  action: { type: "run", command: cmd("true") },
});

const plan: Plan = {
  problems: [],
  hosts: [
    { host: { name: "harbor1", address: "10.0.0.1", role: "harbor-node" }, steps: [step("harbor1", "write a fresh check marker", "check")] },
    {
      host: { name: "harbor2", address: "10.0.0.2", role: "harbor-node" },
      steps: [step("harbor2", "read the check marker", "check"), step("harbor2", "write /opt/harbor/harbor.cfg", "file")],
    },
  ],
};

test("a node that only wrote the storage check marker is unchanged; one that also wrote a file changed that file only", () => {
  const done = new Map([
    ["harbor1", ["write a fresh check marker"]],
    ["harbor2", ["read the check marker", "write /opt/harbor/harbor.cfg"]],
  ]);
  const o = outcomesOf(plan, done, new Map(), new Map());
  assert.deepEqual(
    o.map((x) => [x.host, x.status, x.changes]),
    [
      ["harbor1", "unchanged", []],
      ["harbor2", "changed", ["write /opt/harbor/harbor.cfg"]],
    ],
  );
  assert.deepEqual(
    dryRunOutcomes(plan, 0).map((x) => [x.host, x.status]),
    [
      ["harbor1", "unchanged"],
      ["harbor2", "would change"],
    ],
  );
});

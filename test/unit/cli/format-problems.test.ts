/** formatProblems: inventory problems, errors first, then by line. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { formatProblems } from "../../../src/cli/format-problems.js";
import type { InventoryProblem } from "../../../src/errors.js";

test("errors first, then warnings; each by line; lineless first; path before the message", () => {
  const problems: InventoryProblem[] = [
    { path: "keepalived.auth_pass", line: 30, message: "longer than 8 characters", severity: "warning" },
    { path: "load_balancers[1].priority", line: 12, message: "must be between 1 and 254", severity: "error" },
    { path: "zz.cluster.vip", line: 3, message: "not an address", severity: "error" },
    { path: "", message: "the file is empty", severity: "error" },
    { path: "x.harbor.extra_cfg", line: 5, message: "unknown key", severity: "warning" },
  ];
  const file = join(process.cwd(), "inventory", "example.yaml");
  assert.equal(
    formatProblems(file, problems),
    [
      "error    inventory/example.yaml  the file is empty",
      "error    inventory/example.yaml:3  zz.cluster.vip: not an address",
      "error    inventory/example.yaml:12  load_balancers[1].priority: must be between 1 and 254",
      "warning  inventory/example.yaml:5  x.harbor.extra_cfg: unknown key",
      "warning  inventory/example.yaml:30  keepalived.auth_pass: longer than 8 characters",
      "",
    ].join("\n"),
  );
});

test("the same line: ordered by path", () => {
  const out = formatProblems("/elsewhere/inv.yaml", [
    { path: "b", line: 7, message: "m", severity: "error" },
    { path: "a", line: 7, message: "m", severity: "error" },
  ]);
  assert.match(out, /inv\.yaml:7  a: m\n.*inv\.yaml:7  b: m\n$/);
});

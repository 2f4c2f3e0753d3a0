/** formatPlan: what --dry-run prints. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPlan } from "../../../../src/cli/report/plan-text.js";
import type { DatabasePlan } from "../../../../src/db/plan.js";
import { planCluster } from "../../../../src/plan/plan-cluster.js";
import type { Plan } from "../../../../src/steps/types.js";
import { cmd } from "../../../../src/shell/command.js";
import { ctx, desired, factsOfAll, matchingFacts } from "../../../support/example.js";

const SKIP: DatabasePlan = { action: "skip", reason: "the registry schema (1.4.0) is already loaded", warnings: [] };

function matchingPlan(): Plan {
  return planCluster(desired, factsOfAll(matchingFacts), ctx);
}

test("nothing to change: every host says 'no changes', and the last line says so", () => {
  const text = formatPlan(matchingPlan(), SKIP);
  assert.equal(text.split("\n")[0], "database (skip): the registry schema (1.4.0) is already loaded");
  for (const h of desired.hosts) assert.ok(text.includes(`\n${h.host.name} (${h.host.role}, ${h.host.address}): no changes\n`), h.host.name);
  assert.ok(text.endsWith("\nNothing to change: every host is as the inventory describes.\n"));
});

test("a database load is a change even when no host changes", () => {
  const text = formatPlan(matchingPlan(), {
    action: "load",
    reason: "the database is empty",
    warnings: ["registry.sql has no alembic_version marker"],
  });
  assert.match(text, /^database \(load\): the database is empty\n  warning: registry.sql has no alembic_version marker\n/);
  assert.ok(!text.includes("Nothing to change"));
  assert.ok(text.endsWith("\n0 of 5 hosts would change, and the database.\n"));
});

test("steps, reasons and diffs, indented under their host", () => {
  const plan = matchingPlan();
  const lb1 = plan.hosts.find((h) => h.host.name === "lb1");
  assert.ok(lb1);
  lb1.steps.push(
    {
      host: "lb1",
      phase: "loadbalancers",
      kind: "file",
      title: "write /etc/default/keepalived (0644 root:root)",
      reason: "content differs — keepalived daemon options",
      diff: '--- a/etc/default/keepalived\n+++ b/etc/default/keepalived\n@@ -1,1 +1,1 @@\n-DAEMON_ARGS=""\n+DAEMON_ARGS="-D"',
      action: { type: "run", command: cmd("true") },
    },
    {
      host: "lb1",
      phase: "loadbalancers",
      kind: "service",
      title: "restart keepalived",
      reason: "its daemon options changed",
      action: { type: "run", command: cmd("true") },
    },
  );
  const text = formatPlan(plan, SKIP);
  assert.ok(
    text.includes(
      [
        "lb1 (loadbalancer, 10.20.0.11): 2 changes",
        "  [loadbalancers] write /etc/default/keepalived (0644 root:root)",
        "      because: content differs — keepalived daemon options",
        "      --- a/etc/default/keepalived",
        "      +++ b/etc/default/keepalived",
        "      @@ -1,1 +1,1 @@",
        '      -DAEMON_ARGS=""',
        '      +DAEMON_ARGS="-D"',
        "  [loadbalancers] restart keepalived",
        "      because: its daemon options changed",
        "",
        "lb2 (loadbalancer, 10.20.0.12): no changes",
      ].join("\n"),
    ),
    text,
  );
  assert.ok(text.endsWith("\n1 of 5 hosts would change.\n"));
  lb1.steps.splice(1);
  assert.match(formatPlan(plan, SKIP), /^lb1 \(loadbalancer, 10\.20\.0\.11\): 1 change$/m);
});

test("a host that only takes part in a check (the shared-storage marker) shows no changes, one check, and is not counted as changing", () => {
  const plan = matchingPlan();
  const h1 = plan.hosts.find((h) => h.host.name === "harbor1");
  assert.ok(h1);
  h1.steps.push({
    host: "harbor1",
    phase: "storage",
    kind: "check",
    title: "write a fresh check marker into /data/registry/.harbor-ha-shared-check as uid 10000",
    reason: "prepare asks whether the registry storage is shared",
    action: { type: "run", command: cmd("true") },
  });
  const text = formatPlan(plan, SKIP);
  assert.ok(text.includes("\nharbor1 (harbor-node, 10.20.0.21): no changes, 1 check\n"), text);
  assert.ok(!/\d+ of 5 hosts would change/.test(text), text);
});

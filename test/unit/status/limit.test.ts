/**
 * status --limit, pure: only the named hosts are reported; what needs the others (the one VIP
 * holder, the lock, secrets beyond the nodes read) is unknown, never a problem nor a healthy word.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildStatusReport } from "../../../src/status/report.js";
import { formatStatus } from "../../../src/status/format.js";
import { healthyInput, lbs, nodes } from "./status-input.js";
import { VIP } from "../../support/example.js";

/** The healthy cluster as status --limit reads it: only the named hosts' facts and checks. */
function limitedTo(limit: string[]) {
  const input = healthyInput();
  const facts = new Map([...input.facts].filter(([h]) => limit.includes(h)));
  const checks = input.checks.filter((c) => limit.includes(c.lb) && limit.includes(c.node));
  return buildStatusReport({ ...input, facts, checks, limit });
}

test("--limit lb2,harbor1: those two reported, the others outside the limit, not unreachable", () => {
  const holder = [...healthyInput().facts].find(([h, f]) => lbs.includes(h) && f.vips[VIP])?.[0];
  const backup = lbs.find((l) => l !== holder) as string;
  const r = limitedTo([backup, "harbor1"]);
  assert.deepEqual(
    r.loadBalancers.map((l) => l.name),
    [backup],
  );
  assert.deepEqual(
    r.nodes.map((n) => n.name),
    ["harbor1"],
  );
  assert.deepEqual(r.cluster.outsideLimit, { loadBalancers: lbs.filter((l) => l !== backup), nodes: nodes.filter((n) => n !== "harbor1") });
  // The VIP holder is outside the limit: no "no load balancer holds the VIP" problem, no unreachable host.
  assert.deepEqual(r.problems, []);
  assert.equal(r.healthy, true);
  const text = formatStatus(r);
  assert.match(text, new RegExp(`VIP [0-9.]+: held by no load balancer read; unknown on ${holder} \\(outside --limit\\)`));
  assert.match(text, new RegExp(`lock: free; unknown on ${holder} \\(outside --limit\\)`));
  assert.match(text, /--limit: .*harbor2, harbor3 not read; the registry database not checked/);
  assert.doesNotMatch(text, /identical on every node/);
});

test("--limit of every load balancer still judges the one VIP holder", () => {
  const input = healthyInput();
  for (const l of lbs) (input.facts.get(l) as { vips: Record<string, boolean> }).vips[VIP] = false;
  const facts = new Map([...input.facts].filter(([h]) => lbs.includes(h)));
  const r = buildStatusReport({ ...input, facts, checks: [], limit: lbs });
  assert.ok(r.problems.some((p) => p.subject === "cluster" && /no load balancer holds the VIP/.test(p.message)));
  assert.equal(r.healthy, false);
});

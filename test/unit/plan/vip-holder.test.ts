/**
 * No VIP holder is drift (issue 19): with keepalived running on every load balancer and none
 * holding the VIP, the plan restarts keepalived on the load balancer that should win, a dry run
 * says so, and the run verifies exactly one holder after it.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import type { HostFacts } from "../../../src/facts/types.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { provision } from "../../../src/provision/provision.js";
import { formatPlan } from "../../../src/cli/report/plan-text.js";
import { ctx, desired, factsOfAll, inv, matchingFacts, VIP } from "../../support/example.js";
import { fakeCluster, fakeEdges, fakeRollOptions } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";
import { readFixtureState } from "../../support/inventories.js";
import { reconfigure } from "../../../src/roll/reconfigure.js";
import { formatRollPlan } from "../../../src/roll/report.js";
import { KEEPALIVED_CONF_PATH } from "../../../src/desired/paths.js";
import { orderLoadBalancers } from "../../../src/execute/loadbalancer-roll.js";
import { serviceCommand } from "../../../src/steps/commands.js";

/** keepalived's restart as the plan builds it for the fake load balancers (SysV init, as the lab). */
const KEEPALIVED_RESTART = serviceCommand("sysv", "keepalived", "restart");

/** Every host as desired, and nobody holding the VIP. */
function noHolder(): Map<string, HostFacts> {
  const all = factsOfAll(matchingFacts);
  for (const f of all.values()) {
    f.vips[VIP] = false;
    f.pings[VIP] = false;
  }
  return all;
}

const stepsOf = (plan: ReturnType<typeof planCluster>, host: string) => plan.hosts.find((h) => h.host.name === host)?.steps ?? [];

test("no holder while keepalived runs on each: keepalived restarts on the highest-priority load balancer, then is checked", () => {
  const plan = planCluster(desired, noHolder(), ctx);
  assert.deepEqual(
    stepsOf(plan, "lb1").map((s) => s.title),
    ["restart keepalived", "check that keepalived still runs"],
  );
  assert.match(
    stepsOf(plan, "lb1")[0]?.reason ?? "",
    new RegExp(`no load balancer holds the VIP ${VIP.replace(/\./g, "\\.")} though keepalived runs on each: lb1`),
  );
  assert.deepEqual(stepsOf(plan, "lb2"), []);
});

test("the load balancer with the highest priority is the one restarted, whatever its place in the list", async () => {
  const lbs = inv.data.load_balancers.map((l, i) => ({ ...l, priority: i === 1 ? 200 : 100 }));
  const other = { ...inv, data: { ...inv.data, load_balancers: lbs } } as Inventory;
  const d = renderDesiredState(other, await readFixtureState());
  const facts = new Map([...d.hosts].map((h) => [h.host.name, { ...matchingFacts(h), vips: { [VIP]: false }, pings: { [VIP]: false } }]));
  const plan = planCluster(d, facts, { ...ctx, inv: other });
  assert.deepEqual(
    stepsOf(plan, "lb2").map((s) => s.title),
    ["restart keepalived", "check that keepalived still runs"],
  );
  assert.deepEqual(stepsOf(plan, "lb1"), []);
});

test("nothing to repair: a holder, keepalived stopped (its start is planned), or another machine answering on the VIP", () => {
  assert.deepEqual(stepsOf(planCluster(desired, factsOfAll(matchingFacts), ctx), "lb1"), []);
  const stopped = noHolder();
  (stopped.get("lb2") as HostFacts).keepalived = { running: false };
  assert.equal(
    stepsOf(planCluster(desired, stopped, ctx), "lb1").some((s) => s.title === "restart keepalived"),
    false,
  );
  assert.deepEqual(
    stepsOf(planCluster(desired, stopped, ctx), "lb2").map((s) => s.title),
    ["start keepalived", "check that keepalived still runs"],
  );
});

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

test("provision: the dry run shows the repair; the run restarts keepalived on lb1 and verifies it alone holds the VIP", async () => {
  const c = (cluster = fakeCluster((d) => ({ ...matchingFacts(d), vips: { [VIP]: false }, pings: { [VIP]: false } })));
  const options = { ...fakeEdges(c), dryRun: true, reinitializeDatabase: false, isInterrupted: () => false };
  const dry = await provision(c.inv, options);
  assert.equal(dry.changed, true);
  assert.match(
    formatPlan(dry.plan, dry.database.plan),
    /lb1 \(loadbalancer, [0-9.]+\): 1 change, 1 check\n {2}\[loadbalancers\] restart keepalived\n {6}because: no load balancer holds the VIP/,
  );
  // keepalived's restart on lb1 wins the election: lb1 holds the VIP again.
  c.net.host("lb1").on(KEEPALIVED_RESTART, (_call, _stdin, host) => {
    host.facts.vips[VIP] = true;
    return {};
  });
  const r = await provision(c.inv, { ...options, dryRun: false });
  assert.equal(r.vipHolder, "lb1");
  assert.equal(r.outcomes.find((o) => o.host === "lb1")?.status, "changed");
  assert.ok(c.net.calls.some((x) => x.host === "lb1" && x.step === "restart keepalived"));
});

test("reconfigure, one code path with provision: its load-balancer stage repairs a lost VIP holder, the dry run says so, the run verifies one holder", async () => {
  const c = (cluster = fakeCluster((d) => ({ ...matchingFacts(d), vips: { [VIP]: false }, pings: { [VIP]: false } })));
  const dry = await reconfigure(c.inv, fakeRollOptions(c, { dryRun: true }));
  assert.equal(dry.changed, true);
  const text = formatRollPlan(dry, 1);
  assert.match(text, /stage 1, loadbalancers: load balancers, one at a time: nobody holds the VIP, so lb1 \(it should win\) first, to take it back/);
  assert.match(
    text,
    /\n {2}lb1:\n {4}\[loadbalancers\] restart keepalived\n {8}because: no load balancer holds the VIP [0-9.]+ though keepalived runs on each: lb1/,
  );
  assert.equal(
    c.net.calls.some((x) => x.step === "restart keepalived"),
    false,
    "the dry run changed nothing",
  );
  c.net.host("lb1").on(KEEPALIVED_RESTART, (_call, _stdin, host) => {
    host.facts.vips[VIP] = true;
    return {};
  });
  const r = await reconfigure(c.inv, fakeRollOptions(c));
  assert.equal(r.vipHolder, "lb1");
  assert.deepEqual(r.loadBalancers["lb1"], ["restart keepalived", "check that keepalived still runs"]);
});

test("reconfigure with nobody holding the VIP and both load balancers to change: the one that takes the VIP back goes first, the backup after it", async () => {
  const c = (cluster = fakeCluster((d) => {
    const f = { ...matchingFacts(d), vips: { [VIP]: false }, pings: { [VIP]: false } };
    if (d.host.role === "loadbalancer") f.files[KEEPALIVED_CONF_PATH] = { ...f.files[KEEPALIVED_CONF_PATH], present: true, sha256: "older" };
    return f;
  }));
  c.net.host("lb1").on(/keepalived (reload|restart)|(reload|restart) keepalived/, (_call, _stdin, host) => {
    host.facts.vips[VIP] = true;
    return {};
  });
  const r = await reconfigure(c.inv, fakeRollOptions(c));
  assert.equal(r.vipHolder, "lb1");
  const firstWrite = (lb: string) => c.net.calls.findIndex((x) => x.host === lb && x.kind !== "facts" && x.step.startsWith("write"));
  assert.ok(firstWrite("lb1") >= 0 && firstWrite("lb1") < firstWrite("lb2"), "lb1 (takes the VIP back) before lb2");
  assert.ok((r.loadBalancers["lb1"] ?? []).includes("restart keepalived"));
});

test("the load balancers' order: backups first and the holder last; with no holder, the one that takes the VIP back first", () => {
  assert.deepEqual(
    orderLoadBalancers(["lb1", "lb2", "lb3"], ["lb1"], "lb2"),
    ["lb2", "lb3", "lb1"],
    "a holder: the repair is not planned, the order is the usual one",
  );
  assert.deepEqual(orderLoadBalancers(["lb1", "lb2", "lb3"], [], "lb2"), ["lb2", "lb1", "lb3"]);
  assert.deepEqual(orderLoadBalancers(["lb1", "lb2"], []), ["lb1", "lb2"]);
});

/**
 * Draining a node on every load balancer, with fake load balancers: where IPVS is visible
 * the run waits until each checker took the node out (and back); where it is not, the
 * check.sh drain marker is written and the checker's period waited out.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkerPeriodMs, drainMarkerPath } from "../../../../src/lb/lvs-dr/drain.js";
import { lvsDrMode } from "../../../../src/lb/lvs-dr/index.js";
import type { DrainContext } from "../../../../src/lb/mode.js";
import { lbShellOf } from "../../../../src/execute/lb-shell.js";
import { NO_IPVS } from "../../../../src/facts/ipvs.js";
import { HarborHaError } from "../../../../src/errors.js";
import { FakeNetwork, writes } from "../../../support/fakes/fake-hosts.js";
import { ipvsTableCommand } from "../../../../src/lb/lvs-dr/ipvs.js";
import type { FakeHost } from "../../../support/fakes/fake-hosts.js";
import { FakeClock } from "../../../support/fakes/clock.js";
import { inv, VIP } from "../../../support/example.js";

const node = { name: "harbor1", address: "10.20.0.21" };
const NODES = inv.data.harbor_nodes.map((n) => n.address);

/**
 * ipvsadm -Ln as keepalived leaves it: every node not drained is a real server. The checker
 * notices a marker one read late (it runs every delay_loop), so the run has to poll.
 */
function servesIpvs(lb: FakeHost): void {
  const seen = new Set<string>();
  lb.on(ipvsTableCommand(), (_call, _stdin, host) => {
    const marked = new Set(NODES.filter((a) => host.files.has(drainMarkerPath(a))));
    const out = NODES.filter((a) => !seen.has(a)).map((a) => `  -> ${a}:443                Route   10     0          0`);
    for (const a of NODES)
      if (marked.has(a)) seen.add(a);
      else seen.delete(a);
    return {
      stdout: `IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\nTCP  ${VIP}:443 rr persistent 50\n${out.join("\n")}\n`,
    };
  });
}

function context(net: FakeNetwork, clock: FakeClock): DrainContext {
  return { shell: lbShellOf(net.pool(["lb1", "lb2"]), ["lb1", "lb2"]), command: "reconfigure", clock };
}

test("IPVS visible: the marker goes to every load balancer first, then the run waits until each IPVS table lost the node; undrain brings it back", async () => {
  const net = new FakeNetwork();
  servesIpvs(net.host("lb1"));
  servesIpvs(net.host("lb2"));
  const clock = new FakeClock();
  await lvsDrMode(inv).drain(context(net, clock), node);

  for (const lb of ["lb1", "lb2"])
    assert.match(net.host(lb).read(drainMarkerPath(node.address)) ?? "", /^drained by harbor-ha reconfigure at 2026-01-01T00:00:00\.000Z\n$/);
  const steps = net.trace();
  assert.deepEqual(steps.slice(0, 2).sort(), ["lb1: drain harbor1", "lb2: drain harbor1"], "markers before any look at IPVS");
  assert.ok(steps.filter((s) => s.endsWith("read the IPVS table")).length >= 4, "polled until both tables dropped the node");
  assert.ok(!clock.sleeps.includes(checkerPeriodMs(inv)), "no blind wait where IPVS shows the truth");

  net.calls.length = 0;
  await lvsDrMode(inv).undrain(context(net, clock), node);
  for (const lb of ["lb1", "lb2"]) assert.equal(net.host(lb).files.has(drainMarkerPath(node.address)), false, `${lb}: marker removed`);
  assert.deepEqual(net.trace().slice(0, 2).sort(), ["lb1: undrain harbor1", "lb2: undrain harbor1"]);
});

test("no IPVS (keepalived runs VRRP only): the check.sh marker is written and the checker's period is waited out, once", async () => {
  const net = new FakeNetwork();
  for (const lb of ["lb1", "lb2"]) net.host(lb).on(ipvsTableCommand(), { stdout: `${NO_IPVS}\n` });
  const clock = new FakeClock();
  await lvsDrMode(inv).drain(context(net, clock), node);
  for (const lb of ["lb1", "lb2"]) assert.ok(net.host(lb).files.has(drainMarkerPath(node.address)), lb);
  assert.deepEqual(clock.sleeps, [checkerPeriodMs(inv)]);
  assert.equal(checkerPeriodMs(inv), (inv.data.keepalived.delay_loop + inv.data.keepalived.check_timeout_s) * 1000);
  assert.deepEqual(net.trace(/IPVS/).sort(), ["lb1: read the IPVS table", "lb2: read the IPVS table"], "looked once, then waited");
});

test("keepalived started with --vrrp runs no checker: the marker is written and nothing is waited for, on drain or undrain", async () => {
  for (const options of ["--vrrp -D", "-DP", "-S 7 -P", "-p /run/k.pid --vrrp"]) {
    const vrrpOnly = { ...inv, data: { ...inv.data, keepalived: { ...inv.data.keepalived, daemon_options: options } } };
    const net = new FakeNetwork();
    for (const lb of ["lb1", "lb2"]) net.host(lb).on(ipvsTableCommand(), { stdout: `${NO_IPVS}\n` });
    const clock = new FakeClock();
    await lvsDrMode(vrrpOnly).drain(context(net, clock), node);
    for (const lb of ["lb1", "lb2"]) assert.ok(net.host(lb).files.has(drainMarkerPath(node.address)), `${options}: ${lb} marker`);
    await lvsDrMode(vrrpOnly).undrain(context(net, clock), node);
    assert.deepEqual(clock.sleeps, [], options);
    assert.deepEqual(net.trace(/IPVS/), [], `${options}: no IPVS to look at`);
  }
});

test("IPVS that never lets go of the node: the drain fails naming the load balancer, after three checker periods", async () => {
  const net = new FakeNetwork();
  const table = `TCP  ${VIP}:443 rr\n  -> ${node.address}:443 Route 10 0 0\n`;
  net.host("lb1").on(ipvsTableCommand(), { stdout: table });
  net.host("lb2").on(ipvsTableCommand(), { stdout: `${NO_IPVS}\n` });
  const clock = new FakeClock();
  await assert.rejects(lvsDrMode(inv).drain(context(net, clock), node), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.equal(e.message, `harbor1: keepalived on lb1 did not take the node out of IPVS within ${(3 * checkerPeriodMs(inv)) / 1000} s`);
    return true;
  });
  assert.ok(clock.sleeps.includes(checkerPeriodMs(inv)), "lb2 without IPVS still had its timed wait");
});

test("a load balancer lost while draining: the drain fails naming it and the lost connection", async () => {
  const net = new FakeNetwork();
  net.host("lb2").on(writes(drainMarkerPath(node.address)), "drop");
  await assert.rejects(lvsDrMode(inv).drain(context(net, new FakeClock()), node), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.match(
      e.message,
      /^could not drain harbor1:\n {2}lb2: lost the SSH connection to lb2 \(.*\) during step "drain harbor1": the connection was reset$/,
    );
    return true;
  });
  assert.deepEqual(net.trace(/IPVS/), [], "no waiting on a drain that did not happen");
});

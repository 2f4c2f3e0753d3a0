/**
 * reconfigure run whole over the fake cluster: each node goes drain → apply → health →
 * undrain, one batch after the other; the roll stops at the first node that fails (it stays
 * drained, the rest stay in service untouched); Ctrl-C stops it the same way, saying so.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { reconfigure, ReconfigureFailed } from "../../../src/roll/reconfigure.js";
import type { ReconfigureOptions, ReconfigureResult } from "../../../src/roll/reconfigure.js";
import { rollParts } from "../../../src/cli/report/roll-json.js";
import { KEEPALIVED_CONF_PATH } from "../../../src/desired/paths.js";
import { drainMarkerPath } from "../../../src/lb/lvs-dr/drain.js";
import { InterruptedError } from "../../../src/errors.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { PENDING_DIR } from "../../../src/steps/pending.js";
import { applyVipRulesCommand, VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { matchingFacts } from "../../support/example.js";
import { checksEveryNode, fakeCluster, fakeRollOptions } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";
import type { FakeCall } from "../../support/fakes/fake-hosts.js";

const LBS = ["lb1", "lb2"];
const NODES = [
  { name: "harbor1", address: "10.20.0.21" },
  { name: "harbor2", address: "10.20.0.22" },
  { name: "harbor3", address: "10.20.0.23" },
];

/** Every node lacks its VIP rules script: two steps each, no installer run. */
function nodesDrifted(d: DesiredHost): HostFacts {
  const f = matchingFacts(d);
  if (d.host.role !== "loadbalancer") f.files[VIP_ACCEPT_SCRIPT_PATH] = { present: false };
  return f;
}

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

function options(c: FakeCluster, extra: Partial<ReconfigureOptions> = {}): ReconfigureOptions {
  return fakeRollOptions(c, extra);
}

/** Which stage of a node's roll a call belongs to, if any. */
function stageOf(call: FakeCall, node: string): string | undefined {
  if (LBS.includes(call.host) && call.step === `drain ${node}`) return "drain";
  if (LBS.includes(call.host) && call.step === `undrain ${node}`) return "undrain";
  if (LBS.includes(call.host) && call.step === `check.sh ${node}`) return "health";
  if (call.host === node && call.step === "fingerprint of the served certificate") return "health";
  if (call.host === node && call.kind !== "facts" && call.step !== "append to the audit log") return "apply";
  return undefined;
}

function stagesOf(calls: readonly FakeCall[], node: string): string[] {
  return calls
    .map((c) => stageOf(c, node))
    .filter((s): s is string => s !== undefined)
    .filter((s, i, all) => s !== all[i - 1]);
}

const span = (calls: readonly FakeCall[], node: string) => {
  const idx = calls.map((c, i) => (stageOf(c, node) ? i : -1)).filter((i) => i >= 0);
  return { first: Math.min(...idx), last: Math.max(...idx) };
};

test("each node rolls drain → apply → health → undrain, one node at a time (--serial 1), under the lock", async () => {
  cluster = fakeCluster(nodesDrifted);
  const c = cluster;
  const r = await reconfigure(c.inv, options(c));
  const calls = c.net.calls;
  for (const n of NODES) assert.deepEqual(stagesOf(calls, n.name), ["drain", "apply", "health", "undrain"], n.name);
  assert.ok(
    span(calls, "harbor1").last < span(calls, "harbor2").first && span(calls, "harbor2").last < span(calls, "harbor3").first,
    "never two nodes out at once",
  );
  const lockAt = calls.findIndex((x) => x.step === "take the cluster lock");
  assert.ok(lockAt >= 0 && lockAt < span(calls, "harbor1").first);
  assert.ok(calls.findIndex((x) => x.step === "release the cluster lock") > span(calls, "harbor3").last);
  for (const lb of LBS) {
    for (const n of NODES) assert.equal(c.net.host(lb).files.has(drainMarkerPath(n.address)), false, `${lb}: ${n.name} back in service`);
    assert.equal(c.net.host(lb).read(LOCK_OWNER_PATH), undefined);
  }
  assert.deepEqual(
    r.roll.rolled.map((o) => `${o.node} ${o.state}`),
    ["harbor1 done", "harbor2 done", "harbor3 done"],
  );
});

test("the roll stops at the first node that fails: it stays drained, the nodes after it are not touched", async () => {
  cluster = fakeCluster(nodesDrifted);
  const c = cluster;
  c.net
    .host("harbor2")
    .on(applyVipRulesCommand(c.net.host("harbor2").facts.init), { code: 4, stderr: "iptables v1.8.9: can't initialize iptables table `nat'\n" });
  await assert.rejects(reconfigure(c.inv, options(c)), (e: unknown) => {
    assert.ok(e instanceof ReconfigureFailed);
    assert.equal(e.exitCode, 1);
    assert.match(
      e.message,
      /^reconfigure stopped: harbor2 failed while applying: harbor2: step "apply the VIP acceptance rules \(iptables REDIRECT\)" failed: the command exited with code 4\n.*can't initialize iptables table/s,
    );
    assert.match(e.message, /failed: {6}harbor2 — harbor2 stays drained, out of service/);
    assert.match(e.message, /not touched: harbor3 \(in service, unchanged\)/);
    return true;
  });
  const calls = c.net.calls;
  assert.deepEqual(stagesOf(calls, "harbor1"), ["drain", "apply", "health", "undrain"]);
  assert.deepEqual(stagesOf(calls, "harbor2"), ["drain", "apply"]);
  assert.deepEqual(stagesOf(calls, "harbor3"), [], "harbor3 never drained nor changed");
  for (const lb of LBS) {
    assert.ok(c.net.host(lb).files.has(drainMarkerPath("10.20.0.22")), `${lb}: harbor2 stays drained`);
    assert.equal(c.net.host(lb).files.has(drainMarkerPath("10.20.0.23")), false);
    assert.equal(c.net.host(lb).read(LOCK_OWNER_PATH), undefined, `${lb}: lock released`);
  }
});

test("Ctrl-C while a node applies: its step under way finishes, nothing new starts, exit 130 saying what rolled, what stays drained, what was not touched", async () => {
  cluster = fakeCluster(nodesDrifted);
  const c = cluster;
  let interrupted = false;
  c.net.host("harbor2").on(
    (x) => x.kind === "upload" && x.path === VIP_ACCEPT_SCRIPT_PATH,
    () => {
      interrupted = true;
      return "default";
    },
  );
  await assert.rejects(reconfigure(c.inv, options(c, { isInterrupted: () => interrupted })), (e: unknown) => {
    assert.ok(e instanceof ReconfigureFailed);
    assert.equal(e.exitCode, 130);
    assert.equal(
      e.message,
      "interrupted (Ctrl-C) during roll; done: harbor1 (2 steps); not finished: harbor2 (stopped while applying; stays drained, out of service); not started: harbor3 (in service, unchanged); run again to finish",
    );
    assert.doesNotMatch(`${e.message} ${e.hint}`, /fix the cause/i);
    return true;
  });
  assert.ok(c.net.host("harbor2").read(VIP_ACCEPT_SCRIPT_PATH)?.startsWith("#!"), "the write under way finished whole");
  assert.deepEqual(stagesOf(c.net.calls, "harbor2"), ["drain", "apply"]);
  const harbor2 = c.net.calls.filter((x) => x.host === "harbor2" && stageOf(x, "harbor2") === "apply");
  assert.equal(harbor2.at(-1)?.path, VIP_ACCEPT_SCRIPT_PATH, "no step after the one under way");
  assert.ok(c.net.host("harbor2").files.has(`${PENDING_DIR}/apply-vip-rules`), "the rules not applied yet stay pending for the next run");
  assert.deepEqual(stagesOf(c.net.calls, "harbor3"), []);
});

test("Ctrl-C before the lock: exit 130, no lock, nothing changed", async () => {
  cluster = fakeCluster(nodesDrifted);
  const c = cluster;
  let interrupted = false;
  c.net.host("lb2").on(checksEveryNode(c.inv), () => {
    interrupted = true;
    return { stdout: ["10.20.0.21", "10.20.0.22", "10.20.0.23"].map((a) => `${a} ok\n`).join("") };
  });
  await assert.rejects(
    reconfigure(c.inv, options(c, { isInterrupted: () => interrupted })),
    (e: unknown) =>
      e instanceof InterruptedError &&
      e.exitCode === 130 &&
      /^interrupted \(Ctrl-C\) during preflight; nothing was changed on any host and the cluster lock was not taken/.test(e.message),
  );
  assert.deepEqual(
    c.net.calls.filter((x) => x.kind === "upload" || /cluster lock|drain/.test(x.step)),
    [],
  );
});

test("--dry-run's plan is what the run executes: the same stages, hosts and steps in the same order, every one done, nothing unplanned", async () => {
  cluster = fakeCluster((d) => {
    const f = nodesDrifted(d);
    // The load balancers' keepalived.conf differs too: a load-balancer stage before the roll.
    if (d.host.role === "loadbalancer") f.files[KEEPALIVED_CONF_PATH] = { ...f.files[KEEPALIVED_CONF_PATH], present: true, sha256: "older" };
    return f;
  });
  const c = cluster;
  const json = (r: ReconfigureResult, dryRun: boolean) => rollParts(r, { command: "reconfigure", inventory: c.inv.path, dryRun }, false);
  const listed = (doc: ReturnType<typeof json>) => doc.steps.map((x) => `${x.stage} ${x.host}: ${x.title}`);
  const planned = json(await reconfigure(c.inv, options(c, { dryRun: true })), true);
  const ran = json(await reconfigure(c.inv, options(c)), false);
  assert.deepEqual([...new Set(planned.steps.map((s) => s.stage))], ["loadbalancers", "roll"]);
  assert.ok(listed(planned).length > 6);
  assert.deepEqual(listed(ran), listed(planned));
  assert.deepEqual(
    ran.steps.map((x) => x.status).filter((st) => st !== "done"),
    [],
  );
  assert.deepEqual(ran.details["unplanned"], []);
});

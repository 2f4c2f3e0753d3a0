/**
 * A roll's in-service state is observed, not remembered (issue 19): a node the load balancers
 * hold drained with no run under way — a reconfigure killed between its health gate and its
 * undrain, or an operator — is read from the load balancers' facts (drain markers, HAProxy's
 * runtime state), counted against --serial, and put back in service by provision and reconfigure
 * once it passes its health gate.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { parseFacts } from "../../../src/facts/parse.js";
import type { HaproxyServerStat } from "../../../src/facts/haproxy-stat.js";
import type { HostFacts } from "../../../src/facts/types.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { modeOf } from "../../../src/lb/modes.js";
import { drainMarkerPath } from "../../../src/lb/lvs-dr/drain.js";
import { readDrainedNodes } from "../../../src/plan/roll/drained.js";
import { planBatches, refuseUnsafeRoll } from "../../../src/plan/roll/safety.js";
import { provision } from "../../../src/provision/provision.js";
import type { ProvisionOptions } from "../../../src/provision/provision.js";
import { reconfigure } from "../../../src/roll/reconfigure.js";
import type { ReconfigureOptions } from "../../../src/roll/reconfigure.js";
import { RollRefused } from "../../../src/roll/setup.js";
import { formatPlan } from "../../../src/cli/report/plan-text.js";
import { emptyFacts } from "../../../src/facts/parse.js";
import { inv, matchingFacts } from "../../support/example.js";
import { VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import { fakeCluster, fakeEdges, fakeRollOptions } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };
const LBS = ["lb1", "lb2"];
const H2 = { name: "harbor2", address: "10.20.0.22" };

/** HAProxy's servers on one load balancer, `drained` held in DRAIN by the runtime API. */
function haproxyServers(drained: readonly string[]): HaproxyServerStat[] {
  return ["harbor_80", "harbor_443"].flatMap((backend) =>
    inv.data.harbor_nodes.map((n) => ({
      backend,
      server: n.name,
      status: drained.includes(n.address) ? "DRAIN" : "UP",
      sessions: 0,
      checkStatus: "L7OK",
      address: `${n.address}:${backend.slice(7)}`,
    })),
  );
}

describe("the drain state is read from the load balancers", () => {
  test("facts.sh's HAProxy runtime state is parsed; the haproxy mode reads a server in DRAIN or MAINT as drained, a DOWN one not", () => {
    const csv = [
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,addr",
      "harbor_443,FRONTEND,,,0,0,2000,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,0,",
      "harbor_443,harbor1,0,0,0,1,,3,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,9,0,,1,2,1,,3,,2,0,,1,L7OK,200,4,,10.20.0.21:443",
      "harbor_443,harbor2,0,0,0,1,,3,0,0,,0,,0,0,0,0,DRAIN,0,1,0,0,0,9,0,,1,2,2,,3,,2,0,,1,L7OK,200,4,,10.20.0.22:443",
      "harbor_443,harbor3,0,0,0,1,,3,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,9,0,,1,2,3,,3,,2,0,,1,L4CON,,4,,10.20.0.23:443",
      "harbor_80,harbor3,0,0,0,1,,3,0,0,,0,,0,0,0,0,MAINT,1,1,0,1,1,9,0,,1,2,3,,3,,2,0,,1,,,,,10.20.0.23:80",
      "harbor_443,BACKEND,0,0,0,1,200,9,0,0,0,0,,0,0,0,0,UP,2,2,0,,0,9,0,,1,2,0,,9,,1,0,,1,,,,0,",
    ].join("\n");
    const out = ["facts\t1", `haproxy-stat\t/run/haproxy/admin.sock\tok\t${Buffer.from(csv).toString("base64")}`, "end\tok", ""].join("\n");
    const f = parseFacts(out);
    assert.deepEqual(modeOf(hx).drainedAddresses(f), ["10.20.0.22", "10.20.0.23"]);
    const unreadable = parseFacts(["facts\t1", "haproxy-stat\t/run/haproxy/admin.sock\tunreadable", "end\tok", ""].join("\n"));
    assert.equal(unreadable.haproxyServers, null);
    assert.deepEqual(modeOf(hx).drainedAddresses(unreadable), []);
  });

  test("lvs-dr reads the drain markers; an atomic write's kept previous version is no marker", () => {
    const f = parseFacts(["facts\t1", "drain\t10.20.0.22 10.20.0.22.harbor-ha.bak ", "end\tok", ""].join("\n"));
    assert.deepEqual(modeOf(inv).drainedAddresses(f), ["10.20.0.22"]);
  });

  test("a node is drained on the load balancers that hold it so, whoever drained it", () => {
    const facts = new Map<string, HostFacts>(
      LBS.map((lb) => [lb, { ...emptyFacts(), haproxyServers: haproxyServers(lb === "lb1" ? [H2.address] : [H2.address, "10.20.0.99"]) }]),
    );
    assert.deepEqual(readDrainedNodes(hx, modeOf(hx), facts), [{ ...H2, on: ["lb1", "lb2"] }]);
  });
});

describe("--serial counts the nodes drained already", () => {
  const n = (name: string) => ({ name, address: name });
  test("one node drained and left out of the roll (--limit), --serial 1: taking a second out is refused", () => {
    const why = refuseUnsafeRoll({ batches: [[n("h1")]], healthy: ["h1", "h3"], serving: ["h1", "h2", "h3"], serial: 1, drained: ["h2"] });
    assert.match(why ?? "", /draining h1 would hold 2 nodes out of service at once, more than --serial 1 \(drained already: h2\)/);
  });

  test("the drained node rolls first, alone: then the others, one at a time", () => {
    const batches = planBatches([n("h1"), n("h2"), n("h3")], new Set(["h2"]), 1);
    assert.deepEqual(
      batches.map((b) => b.map((x) => x.name)),
      [["h2"], ["h1"], ["h3"]],
    );
    assert.equal(refuseUnsafeRoll({ batches, healthy: ["h1", "h3"], serving: ["h1", "h2", "h3"], serial: 1, drained: ["h2"] }), undefined);
  });

  test("two drained nodes with --serial 1: bringing them back one at a time takes nothing more out", () => {
    const batches = planBatches([n("h1"), n("h2"), n("h3")], new Set(["h2", "h3"]), 1);
    assert.equal(refuseUnsafeRoll({ batches, healthy: ["h1"], serving: ["h1", "h2", "h3"], serial: 1, drained: ["h2", "h3"] }), undefined);
  });
});

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

/** harbor2 drained on both load balancers by a reconfigure killed after its health gate; IPVS sends it nothing until the marker goes. */
function killedAfterGate(c: FakeCluster): void {
  for (const lb of LBS) {
    const h = c.net.host(lb);
    h.files.set(drainMarkerPath(H2.address), {
      content: Buffer.from("drained by harbor-ha reconfigure\n"),
      mode: 0o644,
      owner: "root",
      group: "root",
    });
    h.on(/ipvsadm -Ln/, (_call, _stdin, host) => {
      const weight = host.files.has(drainMarkerPath(H2.address)) ? 0 : 1;
      return {
        stdout: [
          "TCP  10.20.0.10:443 wlc",
          "  -> 10.20.0.21:443                Route   1      0          0",
          `  -> 10.20.0.22:443                Route   ${weight}      0          0`,
          "  -> 10.20.0.23:443                Route   1      0          0",
        ].join("\n"),
      };
    });
  }
}

function provisionOptions(c: FakeCluster, extra: Partial<ProvisionOptions> = {}): ProvisionOptions {
  return { ...fakeEdges(c), dryRun: false, reinitializeDatabase: false, isInterrupted: () => false, ...extra };
}

test("provision: a node left drained by a killed run is drift — the dry run says so; the run puts it back after its health gate", async () => {
  const c = (cluster = fakeCluster());
  killedAfterGate(c);
  const dry = await provision(c.inv, provisionOptions(c, { dryRun: true }));
  assert.equal(dry.changed, true);
  const text = formatPlan(dry.plan, dry.database.plan);
  assert.match(
    text,
    /harbor2 \(harbor-node, 10\.20\.0\.22\): 1 change\n {2}\[harbor\] put harbor2 back in service on lb1, lb2 once its health gate passes/,
  );
  assert.match(text, /because: drained on lb1, lb2 by no running run/);
  assert.ok(c.net.host("lb1").files.has(drainMarkerPath(H2.address)), "the dry run changed nothing");

  const r = await provision(c.inv, provisionOptions(c));
  for (const lb of LBS) assert.equal(c.net.host(lb).files.has(drainMarkerPath(H2.address)), false, `${lb}: harbor2 back in service`);
  const calls = c.net.calls.filter((x) => x.kind !== "facts");
  const gate = calls.findIndex((x) => x.step === "check.sh harbor2");
  const undrain = calls.findIndex((x) => x.step === "undrain harbor2");
  assert.ok(gate >= 0 && undrain > gate, "the health gate before the undrain");
  assert.equal(r.outcomes.find((o) => o.host === "harbor2")?.status, "changed");
});

const reconfigureOptions = (c: FakeCluster, extra: Partial<ReconfigureOptions> = {}) => fakeRollOptions(c, { forceUnlock: true, ...extra });

test("reconfigure --force-unlock after the kill: nothing else to change, harbor2 is rolled back into service", async () => {
  const c = (cluster = fakeCluster());
  killedAfterGate(c);
  const r = await reconfigure(c.inv, reconfigureOptions(c));
  assert.deepEqual(r.batches, [["harbor2"]]);
  for (const lb of LBS) assert.equal(c.net.host(lb).files.has(drainMarkerPath(H2.address)), false, `${lb}: harbor2 back in service`);
});

test("reconfigure --limit harbor3 with harbor2 drained and --serial 1: refused, nothing drained", async () => {
  // harbor3 lacks its VIP rules script, so it would roll.
  const c = (cluster = fakeCluster((d) => {
    const f = matchingFacts(d);
    if (d.host.name === "harbor3") f.files[VIP_ACCEPT_SCRIPT_PATH] = { present: false };
    return f;
  }));
  killedAfterGate(c);
  await assert.rejects(reconfigure(c.inv, reconfigureOptions(c, { limit: ["harbor3", "lb1", "lb2"] })), (e: unknown) => {
    assert.ok(e instanceof RollRefused);
    assert.match(e.message, /draining harbor3 would hold 2 nodes out of service at once, more than --serial 1 \(drained already: harbor2\)/);
    return true;
  });
  assert.equal(
    c.net.calls.some((x) => x.step === "drain harbor3"),
    false,
  );
});

test("provision: a drained node whose gate fails while MariaDB is down from it stays drained, the run naming MariaDB within seconds", async () => {
  const c = (cluster = fakeCluster());
  killedAfterGate(c);
  for (const lb of LBS)
    c.net.host(lb).on((call) => call.argv.some((w) => w.includes("check.sh")) && call.argv.includes(H2.address), {
      code: 1,
      stdout: "10.20.0.22: GET /api/systeminfo answered HTTP 500, not 200\n",
    });
  c.net.host("harbor2").on(/== deps/, { stdout: "== deps\ndep\tMariaDB\t10.20.0.31:3306\tclosed\n" });
  const t0 = Date.now();
  await assert.rejects(provision(c.inv, provisionOptions(c)), (e: unknown) => {
    assert.ok(e instanceof Error);
    return true;
  });
  const failed = c.events.find((e) => e.type === "step-done" && e.host === "harbor2" && !e.ok);
  assert.ok(failed?.type === "step-done");
  assert.match(
    failed.error ?? "",
    /health gate: MariaDB at 10\.20\.0\.31:3306 does not accept connections \(seen from harbor2 3 times in a row\); it stays drained/,
  );
  assert.ok(Date.now() - t0 < 30_000);
  for (const lb of LBS) assert.ok(c.net.host(lb).files.has(drainMarkerPath(H2.address)), `${lb}: harbor2 stays drained`);
});

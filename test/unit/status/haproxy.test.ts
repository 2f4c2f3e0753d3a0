/** status under load_balancing: haproxy: each load balancer's HAProxy backends, and what is wrong with them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Inventory } from "../../../src/inventory/model.js";
import type { HaproxyServerStat } from "../../../src/facts/haproxy-stat.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { formatStatus } from "../../../src/status/format.js";
import { buildStatusReport } from "../../../src/status/report.js";
import type { StatusInput } from "../../../src/status/report.js";
import { desired as lvsDesired, inv, matchingFacts } from "../../support/example.js";
import { readFixtureState } from "../../support/inventories.js";

const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };
const desired = renderDesiredState(hx, await readFixtureState());
const lbs = hx.data.load_balancers.map((l) => l.name);
const nodes = hx.data.harbor_nodes.map((n) => n.name);

function servers(edit: (s: HaproxyServerStat) => HaproxyServerStat = (s) => s): HaproxyServerStat[] {
  return ["harbor_80", "harbor_443"].flatMap((backend) =>
    nodes.map((server) =>
      edit({
        backend,
        server,
        status: "UP",
        sessions: server === "harbor1" ? 2 : 0,
        checkStatus: backend === "harbor_443" ? "L7OK" : "",
        address: `10.20.0.2${server.slice(-1)}:${backend.slice(7)}`,
      }),
    ),
  );
}

function input(stat: (lb: string) => HaproxyServerStat[] | null, running = true): StatusInput {
  const facts = new Map(
    desired.hosts.map((d) => {
      const f = matchingFacts(d);
      if (d.host.role === "loadbalancer") f.haproxy = { running };
      else f.vipChain = { hooked: false, rules: [] };
      return [d.host.name, f];
    }),
  );
  return {
    inv: hx,
    desired,
    facts,
    failures: new Map(),
    checks: lbs.flatMap((lb) => nodes.map((node) => ({ lb, node, ok: true, detail: "" }))),
    modeReading: { haproxy: new Map(lbs.map((l) => [l, stat(l)])) },
  };
}

test("every backend server UP on every load balancer: healthy, and the text shows states and sessions", () => {
  const r = buildStatusReport(input(() => servers()));
  assert.deepEqual(r.problems, []);
  assert.equal(r.loadBalancers[0]?.haproxy?.servers?.length, 6);
  assert.match(formatStatus(r), /lb1 HAProxy: harbor_80\/harbor1 UP 2 sessions, harbor_80\/harbor2 UP 0 sessions/);
});

test("a node HAProxy holds DOWN or drained is a problem naming the server, its state and its last check", () => {
  const r = buildStatusReport(
    input((lb) =>
      servers((s) =>
        lb === "lb2" && s.server === "harbor2" ? { ...s, status: s.backend === "harbor_443" ? "DOWN" : "DRAIN", checkStatus: "L7STS" } : s,
      ),
    ),
  );
  assert.equal(r.healthy, false);
  assert.deepEqual(
    r.problems.map((p) => p.subject),
    ["lb2"],
  );
  assert.match(
    r.problems[0]?.message ?? "",
    /HAProxy sends no new connections to harbor_80\/harbor2 \(DRAIN, last check L7STS\), harbor_443\/harbor2 \(DOWN, last check L7STS\)/,
  );
});

test("HAProxy stopped, or its runtime API silent: a problem each, with what to do", () => {
  const stopped = buildStatusReport(input(() => null, false));
  assert.deepEqual(
    stopped.problems.map((p) => p.message),
    [
      "HAProxy is not running (keepalived gives the VIP up here while it is down)",
      "HAProxy is not running (keepalived gives the VIP up here while it is down)",
    ],
  );
  assert.match(formatStatus(stopped), /lb1 HAProxy: STOPPED/);
  const silent = buildStatusReport(input((lb) => (lb === "lb1" ? null : servers())));
  assert.deepEqual(
    silent.problems.map((p) => `${p.subject}: ${p.message}`),
    ["lb1: HAProxy's runtime API does not answer: its backends' states are unknown"],
  );
});

test("lvs-dr reports no HAProxy at all", () => {
  const r = buildStatusReport({ ...input(() => servers()), inv, desired: lvsDesired, modeReading: { ipvs: new Map() } });
  assert.equal(r.loadBalancers[0]?.haproxy, undefined);
});

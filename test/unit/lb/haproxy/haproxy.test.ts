/**
 * load_balancing: haproxy in the plan: HAProxy's service steps and their order, the
 * `haproxy -c` gate on haproxy.cfg, the nodes' VIP rules (none, and leftovers removed),
 * preflight (HAProxy's release, a switch back to lvs-dr refused), and the runtime API's
 * commands and `show stat` parser on output captured from HAProxy 2.6.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { HostFacts } from "../../../../src/facts/types.js";
import type { Inventory } from "../../../../src/inventory/model.js";
import { projectRoot } from "../../../../src/paths.js";
import { haproxyReloadCommand, haproxySetStateCommand } from "../../../../src/lb/haproxy/commands.js";
import { drainedAddresses, parseHaproxyStat, takesTraffic } from "../../../../src/facts/haproxy-stat.js";
import { parseHaproxyVersion } from "../../../../src/facts/versions.js";
import { lbModeProblems } from "../../../../src/lb/modes.js";
import { planHarbor } from "../../../../src/plan/harbor-node.js";
import { planLoadBalancer } from "../../../../src/plan/loadbalancer.js";
import { modeOf } from "../../../../src/lb/modes.js";
import { preflightProblems } from "../../../../src/plan/preflight.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import { HAPROXY_CFG_PATH } from "../../../../src/lb/haproxy/render.js";
import { VIP_ACCEPT_SCRIPT_PATH } from "../../../../src/lb/lvs-dr/vip-rules.js";
import type { DesiredHost } from "../../../../src/desired/types.js";
import { readFixtureState } from "../../../support/inventories.js";
import { bundle, desired, inv, matchingFacts, redactor } from "../../../support/example.js";

const hx: Inventory = { ...inv, data: { ...inv.data, load_balancing: "haproxy" } };
const hxDesired = renderDesiredState(hx, await readFixtureState());
const host = (name: string): DesiredHost => hxDesired.hosts.find((h) => h.host.name === name) ?? assert.fail(`no ${name}`);

function lbFacts(edit: (f: HostFacts) => void = () => {}): HostFacts {
  const f = matchingFacts(host("lb1"));
  f.haproxy = { running: true, pid: 900 };
  f.versions.haproxy = { found: true, exitCode: 0, output: "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n" };
  edit(f);
  return f;
}

test("a load balancer as the render wants it, HAProxy running: nothing to do", () => {
  assert.deepEqual(planLoadBalancer(modeOf(hx), host("lb1"), lbFacts(), redactor), []);
});

test("HAProxy not running: started and checked before keepalived is touched", () => {
  const steps = planLoadBalancer(
    modeOf(hx),
    host("lb1"),
    lbFacts((f) => {
      f.haproxy = { running: false };
      f.keepalived = { running: false };
    }),
    redactor,
  );
  assert.deepEqual(
    steps.map((s) => s.title),
    ["start haproxy", "check that haproxy still runs and answers", "start keepalived", "check that keepalived still runs"],
  );
  assert.equal(steps[1]?.kind, "check");
});

test("haproxy.cfg changed: written through the haproxy -c gate, then a reload that keeps drained nodes drained, then the check", () => {
  const steps = planLoadBalancer(
    modeOf(hx),
    host("lb1"),
    lbFacts((f) => {
      f.files[HAPROXY_CFG_PATH] = { ...f.files[HAPROXY_CFG_PATH], present: true, sha256: "0".repeat(64), content: "old\n" };
    }),
    redactor,
  );
  const write = steps.find((s) => s.title.startsWith(`write ${HAPROXY_CFG_PATH}`));
  assert.equal(write?.action.type === "upload" && write.action.check, "haproxy");
  assert.deepEqual(
    steps.slice(1).map((s) => s.title),
    ["reload haproxy (established connections are kept)", "check that haproxy still runs and answers"],
  );
  const reload = steps[1]?.action.type === "run" ? String(steps[1].action.command) : "";
  assert.equal(reload, String(haproxyReloadCommand("sysv")));
  assert.match(reload, /show servers state/);
  assert.match(reload, /service haproxy reload$/);
});

test("the load balancer installs haproxy and socat when missing", () => {
  const steps = planLoadBalancer(
    modeOf(hx),
    host("lb1"),
    lbFacts((f) => {
      f.packages.haproxy = false;
      f.packages.socat = false;
    }),
    redactor,
  );
  assert.equal(steps[0]?.title, "install haproxy, socat");
});

function nodeFacts(edit: (f: HostFacts) => void = () => {}): HostFacts {
  const f = matchingFacts(host("harbor1"));
  f.vipChain = { hooked: false, rules: [] };
  edit(f);
  return f;
}

test("a node under haproxy gets no VIP acceptance rules, and nothing to do when it has none", () => {
  assert.equal(
    host("harbor1").files.some((f) => f.path === VIP_ACCEPT_SCRIPT_PATH),
    false,
  );
  assert.equal(host("harbor1").packages.includes("iptables"), false);
  assert.deepEqual(planHarbor(hx, host("harbor1"), nodeFacts(), bundle, redactor), []);
});

test("VIP acceptance rules left from lvs-dr are removed (chain and script), without reinstalling Harbor", () => {
  const steps = planHarbor(
    hx,
    host("harbor1"),
    nodeFacts((f) => {
      f.vipChain = { hooked: true, rules: ["-A HARBOR_HA_VIP -d 10.20.0.100/32 -p tcp -j REDIRECT"] };
    }),
    bundle,
    redactor,
  );
  assert.deepEqual(
    steps.map((s) => s.title),
    ["remove the VIP acceptance rules (iptables chain, script, boot unit)"],
  );
  const command = steps[0]?.action.type === "run" ? String(steps[0].action.command) : "";
  assert.match(command, /iptables -w -t nat -D PREROUTING -j HARBOR_HA_VIP/);
  const scriptOnly = planHarbor(
    hx,
    host("harbor1"),
    nodeFacts((f) => {
      f.files[VIP_ACCEPT_SCRIPT_PATH] = { present: true };
    }),
    bundle,
    redactor,
  );
  assert.equal(scriptOnly.length, 1);
});

test("preflight: an installed HAProxy older than 2.2 is refused, naming its release", () => {
  const old = lbFacts((f) => {
    f.versions.haproxy = { found: true, exitCode: 0, output: "HA-Proxy version 1.8.19-1+deb10u3 2020/08/01\n" };
  });
  const problems = lbModeProblems(hx, old);
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? "", /has HAProxy 1\.8\.19; load_balancing: haproxy needs 2\.2\.0 or later/);
  assert.deepEqual(lbModeProblems(hx, lbFacts()), []);
  assert.deepEqual(
    lbModeProblems(
      hx,
      lbFacts((f) => {
        f.versions.haproxy = { found: false };
      }),
    ),
    [],
    "a missing HAProxy is installed by the plan",
  );
  assert.deepEqual(parseHaproxyVersion("HAProxy version 2.6.12-1+deb12u4 2026/10/17"), { major: 2, minor: 6, patch: 12, text: "2.6.12" });
});

test("preflight: switching a cluster harbor-ha serves with HAProxy back to lvs-dr is refused with the reason; a foreign HAProxy is none of its business", () => {
  const ours = readFileSync(join(projectRoot(), "test", "golden", "example-haproxy", "lb1", "etc", "haproxy", "haproxy.cfg"), "utf8");
  const withCfg = (content: string, running: boolean) =>
    lbFacts((f) => {
      f.files[HAPROXY_CFG_PATH] = { present: true, sha256: "1".repeat(64), content };
      f.haproxy = { running };
    });
  const desiredLvs = desired.hosts;
  const facts = new Map(desiredLvs.map((d) => [d.host.name, d.host.role === "loadbalancer" ? withCfg(ours, true) : matchingFacts(d)]));
  const problems = preflightProblems(inv, desiredLvs, facts);
  assert.deepEqual(
    problems.map((p) => p.host),
    ["lb1", "lb2"],
  );
  assert.match(problems[0]?.message ?? "", /switching back to LVS direct routing is refused/);
  assert.match(problems[0]?.hint ?? "", /VIP acceptance rules on every Harbor node before/);
  assert.deepEqual(lbModeProblems(inv, withCfg("global\n    daemon\n", true)), [], "someone else's HAProxy");
  assert.deepEqual(lbModeProblems(inv, withCfg(ours, false)), [], "ours, stopped: provision may go on");
});

test("runtime API: set server for every backend, one connection each; a refusal fails the command", () => {
  const c = String(
    haproxySetStateCommand(
      [
        { backend: "harbor_80", server: "harbor2" },
        { backend: "harbor_443", server: "harbor2" },
      ],
      "drain",
    ),
  );
  assert.match(c, /\/run\/haproxy\/admin\.sock 'set server harbor_80\/harbor2 state drain' 'set server harbor_443\/harbor2 state drain'$/);
  assert.match(c, /HAProxy refused/);
});

test("parseHaproxyStat reads HAProxy 2.6's show stat: servers only, state, sessions and the last check", () => {
  const stat = parseHaproxyStat(readFileSync(join(projectRoot(), "test", "fixtures", "haproxy", "show-stat.csv"), "utf8"));
  assert.deepEqual(stat, [
    { backend: "harbor_80", server: "harbor1", status: "DRAIN", sessions: 0, checkStatus: "L7OK", address: "127.0.0.1:80" },
    { backend: "harbor_80", server: "harbor2", status: "DOWN", sessions: 0, checkStatus: "L7RSP", address: "127.0.0.2:80" },
    { backend: "harbor_80", server: "harbor3", status: "DOWN", sessions: 0, checkStatus: "L7STS", address: "127.0.0.3:80" },
  ]);
  assert.deepEqual(stat.map(takesTraffic), [false, false, false]);
  assert.equal(takesTraffic({ backend: "b", server: "s", status: "UP 1/2", sessions: 3, checkStatus: "L4CON", address: "10.0.0.1:80" }), true);
  assert.deepEqual(parseHaproxyStat("Unknown command\n"), []);
});

test("rotate-certs under haproxy: a changed CA file on a load balancer keeps HAProxy's reload and its check (HAProxy reads the CA only then)", async () => {
  const { limitPlanToTls } = await import("../../../../src/plan/roll/tls.js");
  const { LB_CA_PATH } = await import("../../../../src/render/loadbalancer.js");
  const f = lbFacts((x) => {
    x.files[LB_CA_PATH] = { present: true, sha256: "0".repeat(64), content: "old CA\n" };
  });
  const steps = planLoadBalancer(modeOf(hx), host("lb1"), f, redactor);
  const limited =
    limitPlanToTls({ hosts: [{ host: host("lb1").host, steps }], problems: [] }, new Map([["lb1", f]])).hosts[0]?.steps.map((s) => s.title) ?? [];
  assert.deepEqual(limited, [
    `write ${LB_CA_PATH} (0644 root:root)`,
    "reload haproxy (established connections are kept)",
    "check that haproxy still runs and answers",
  ]);
});

test("rotate-certs re-run after a kill between the CA file and HAProxy's reload: the CA file matches, the pending reload is kept", async () => {
  const { limitPlanToTls } = await import("../../../../src/plan/roll/tls.js");
  const f = lbFacts((x) => {
    x.pending = { "reload-haproxy": 1_700_000_000 };
  });
  const steps = planLoadBalancer(modeOf(hx), host("lb1"), f, redactor);
  const limited = limitPlanToTls({ hosts: [{ host: host("lb1").host, steps }], problems: [] }, new Map([["lb1", f]])).hosts[0]?.steps ?? [];
  assert.deepEqual(
    limited.map((s) => s.title),
    ["reload haproxy (established connections are kept)", "check that haproxy still runs and answers"],
  );
  assert.match(limited[0]?.reason ?? "", /an earlier run stopped before applying its change/);
  const done = lbFacts();
  assert.deepEqual(
    limitPlanToTls(
      { hosts: [{ host: host("lb1").host, steps: planLoadBalancer(modeOf(hx), host("lb1"), done, redactor) }], problems: [] },
      new Map([["lb1", done]]),
    ).hosts[0]?.steps,
    [],
    "nothing pending, nothing changed: nothing to do",
  );
});

test("rotate-certs under haproxy with a node to reinstall: the load balancer's HAProxy check stays once, never taken for a shared-storage check step", async () => {
  const { limitPlanToTls } = await import("../../../../src/plan/roll/tls.js");
  const { LB_CA_PATH } = await import("../../../../src/render/loadbalancer.js");
  const lb1 = lbFacts((x) => {
    x.files[LB_CA_PATH] = { present: true, sha256: "0".repeat(64), content: "old CA\n" };
  });
  const lbSteps = planLoadBalancer(modeOf(hx), host("lb1"), lb1, redactor);
  // harbor1 serves an older certificate: its TLS files are written and install.sh runs.
  const oldCert = nodeFacts();
  oldCert.files["/data/cert/server.crt"] = { present: true, sha256: "0".repeat(64) };
  const nodeSteps = planHarbor(hx, host("harbor1"), oldCert, bundle, redactor);
  assert.ok(
    nodeSteps.some((s) => s.role === "install-run"),
    "the node's installer runs",
  );
  const limited = limitPlanToTls(
    {
      hosts: [
        { host: host("lb1").host, steps: lbSteps },
        { host: host("harbor1").host, steps: nodeSteps },
      ],
      problems: [],
    },
    new Map([
      ["lb1", lb1],
      ["harbor1", oldCert],
    ]),
  );
  assert.deepEqual(
    limited.hosts[0]?.steps.map((s) => s.title),
    [`write ${LB_CA_PATH} (0644 root:root)`, "reload haproxy (established connections are kept)", "check that haproxy still runs and answers"],
  );
});

test("a drained server whose health check fails reads DOWN in show stat, and is drained all the same (show servers state's admin state)", () => {
  // Captured from HAProxy 2.6.12 (Debian 12): s1 drained with its check failing, s2 drained and up.
  const text = readFileSync(join(projectRoot(), "test", "fixtures", "haproxy", "show-stat-and-servers-state.txt"), "utf8");
  const servers = parseHaproxyStat(text);
  assert.deepEqual(
    servers.map((s) => [s.server, s.status, s.admin]),
    [
      ["s1", "DOWN", "drain"],
      ["s2", "DRAIN", "drain"],
    ],
  );
  assert.deepEqual(drainedAddresses(servers), ["127.0.0.1"]);
  // show stat alone cannot tell: the DOWN server would pass for one HAProxy took out by itself.
  const statOnly = text.slice(0, text.indexOf("\n1\n"));
  assert.deepEqual(
    parseHaproxyStat(statOnly)
      .filter((s) => s.admin !== undefined || s.status !== "DOWN")
      .map((s) => s.server),
    ["s2"],
  );
});

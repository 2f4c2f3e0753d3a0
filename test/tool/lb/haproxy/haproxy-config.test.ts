/**
 * The rendered haproxy.cfg: accepted by `haproxy -c` in every shape, and run for real in a
 * throwaway network namespace against the stand-in of Harbor's API (one behaviour per
 * address), so that its health check is seen to take out exactly the nodes check.sh fails,
 * traffic through the VIP to reach a healthy node, and the runtime API to drain one.
 * The runtime API is driven with the very commands the tool sends (plan/haproxy-commands.ts).
 */
import { HARBOR2_HEALTH_TEST } from "../../../../src/harbor/v2/data/layout.js";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { requireRoot } from "../../../support/root.js";
import type { Inventory } from "../../../../src/inventory/model.js";
import { haproxySetStateCommand, haproxyShowStatCommand } from "../../../../src/lb/haproxy/commands.js";
import { parseHaproxyStat, takesTraffic } from "../../../../src/facts/haproxy-stat.js";
import { renderShell } from "../../../../src/shell/command.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import { HAPROXY_CFG_PATH, renderHaproxyCfg } from "../../../../src/lb/haproxy/render.js";
import { defaultTemplates } from "../../../../src/desired/templates.js";
import { LB_CA_PATH } from "../../../../src/render/loadbalancer.js";
import {
  addInterface,
  buildTestInventory,
  createNetns,
  inventoryData,
  makeTestTls,
  readFixtureState,
  runInNetns,
  startHarborApiStandIn,
} from "../../../support/inventories.js";

before(() => requireRoot("network namespaces"));
const HOSTNAME = "registry.test.example";

/** `haproxy -c` where the file would run: the LB's CA file in place (a private mount namespace). */
const HAPROXY_CHECK = `
conf=$1 ca=$2
mount -t tmpfs tmpfs /etc/keepalived
if [ -n "$ca" ]; then cp "$ca" ${LB_CA_PATH}; fi
haproxy -c -f "$conf" 2>&1
echo "exit=$?"
`;

async function renderedFiles(inv: Inventory, path: string): Promise<string[]> {
  const desired = renderDesiredState(inv, await readFixtureState());
  return desired.hosts.filter((h) => h.host.role === "loadbalancer").map((h) => h.files.find((f) => f.path === path)?.content ?? "");
}

function haproxyCheck(conf: string, caPem: string | undefined): { exit: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "hha-hx-"));
  try {
    writeFileSync(join(dir, "haproxy.cfg"), conf);
    if (caPem !== undefined) writeFileSync(join(dir, "ca.crt"), caPem);
    const ns = createNetns();
    try {
      const r = runInNetns(ns.name, HAPROXY_CHECK, [join(dir, "haproxy.cfg"), caPem === undefined ? "" : join(dir, "ca.crt")]);
      const m = /exit=(\d+)\n$/.exec(r.stdout);
      assert.ok(m, `the test harness failed: ${r.stderr}`);
      return { exit: Number(m[1]), output: r.stdout.slice(0, m.index) };
    } finally {
      ns.remove();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("haproxy -c accepts every shape: https with and without a CA, http, 32 nodes", async () => {
  const withCa = makeTestTls(HOSTNAME, true);
  const shapes: Array<[Inventory, string | undefined]> = [
    [
      buildTestInventory(
        inventoryData({ lbs: 3, nodes: 4, protocol: "https", vrrpMode: "multicast", withCa: true, loadBalancing: "haproxy" }),
        withCa,
      ),
      withCa.caPem,
    ],
    [
      buildTestInventory(
        inventoryData({ lbs: 2, nodes: 2, protocol: "https", vrrpMode: "unicast", loadBalancing: "haproxy" }),
        makeTestTls(HOSTNAME, false),
      ),
      undefined,
    ],
    [buildTestInventory(inventoryData({ lbs: 2, nodes: 32, protocol: "http", vrrpMode: "unicast", loadBalancing: "haproxy" })), undefined],
  ];
  for (const [inv, ca] of shapes) {
    for (const conf of await renderedFiles(inv, HAPROXY_CFG_PATH)) {
      assert.notEqual(conf, "", "every load balancer has a haproxy.cfg");
      const r = haproxyCheck(conf, ca);
      assert.equal(r.exit, 0, `haproxy -c exited ${r.exit}:\n${r.output}`);
      assert.doesNotMatch(r.output, /ALERT/);
    }
  }
});

test("the harness catches a broken haproxy.cfg (so the check above can fail)", async () => {
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", loadBalancing: "haproxy" }));
  const [conf = ""] = await renderedFiles(inv, HAPROXY_CFG_PATH);
  const r = haproxyCheck(conf.replace("balance source", "balance no-such-algorithm"), undefined);
  assert.notEqual(r.exit, 0);
  assert.match(r.output, /ALERT/);
});

test("lvs-dr renders no haproxy.cfg", async () => {
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }));
  assert.deepEqual(await renderedFiles(inv, HAPROXY_CFG_PATH), ["", ""]);
});

// ---- the rendered configuration, running ----

const LB_CIDR = "10.30.0.11/24";
const VIP = "10.30.0.250";
const RUN_HAPROXY = `
set -e
conf=$1 settle=$2; shift 2
mount -t tmpfs tmpfs /run; mkdir -p /run/haproxy
mount -t tmpfs tmpfs /var/lib/haproxy
haproxy -f "$conf" -D -p /run/haproxy.pid
trap 'kill $(cat /run/haproxy.pid)' EXIT
sleep "$settle"
for step in "$@"; do
  echo "== $step"
  case "$step" in
    vip) curl -sS -o /dev/null -w '%{http_code}\\n' -m 3 http://${VIP}/api/systeminfo 2>&1 || true ;;
    *) sh -c "$step" 2>&1 || echo "failed: $?" ;;
  esac
done
`;

let ns: { name: string; remove: () => void } | undefined;
let server: ChildProcess | undefined;
let dir = "";
let confPath = "";
/** The same cluster's haproxy.cfg for Harbor 2.x (its health test: /api/v2.0/ping, /api/v2.0/health). */
let conf2Path = "";

before(async () => {
  const raw = inventoryData({ lbs: 2, nodes: 5, protocol: "http", vrrpMode: "unicast", loadBalancing: "haproxy" });
  raw.cluster = { ...(raw.cluster as object), vip: `${VIP}/24` };
  raw.harbor_nodes = [1, 2, 3, 4, 5].map((i) => ({ name: `harbor${i}`, address: `127.0.0.${i}` }));
  raw.haproxy = { check_interval_s: 1, fall: 2, rise: 1 };
  (raw.keepalived as Record<string, unknown>).check_timeout_s = 1;
  const [conf = ""] = await renderedFiles(buildTestInventory(raw), HAPROXY_CFG_PATH);
  dir = mkdtempSync(join(tmpdir(), "hha-hxrun-"));
  confPath = join(dir, "haproxy.cfg");
  writeFileSync(confPath, conf);
  // haproxy.cfg reads only the sections both generations share, and the generation's health test.
  conf2Path = join(dir, "haproxy2.cfg");
  writeFileSync(conf2Path, renderHaproxyCfg(buildTestInventory(raw), "lb1", undefined, HARBOR2_HEALTH_TEST, defaultTemplates()));
  ns = createNetns();
  addInterface(ns.name, "eth0", LB_CIDR);
  addInterface(ns.name, "eth1", `${VIP}/24`);
  server = await startHarborApiStandIn(ns.name, HOSTNAME);
});

after(() => {
  server?.kill("SIGKILL");
  ns?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the rendered haproxy.cfg, waits `settleS`, then each step: `vip` (a request through the VIP) or a shell command; their outputs by step. */
function runHaproxy(settleS: number, steps: string[], conf = confPath): string[] {
  const r = runInNetns(ns?.name ?? "", RUN_HAPROXY, [conf, String(settleS), ...steps], 60_000);
  assert.equal(r.status, 0, `haproxy did not run: ${r.stderr}`);
  return r.stdout.split(/^== .*\n/m).slice(1);
}

const showStat = renderShell(haproxyShowStatCommand(), { reveal: true });

test("HAProxy's health check takes out exactly the nodes check.sh fails, and the VIP reaches a healthy one", () => {
  const [stat = "", vip = ""] = runHaproxy(5, [showStat, "vip"]);
  const servers = parseHaproxyStat(stat);
  const status = Object.fromEntries(servers.map((s) => [`${s.backend}/${s.server}`, takesTraffic(s)]));
  // 127.0.0.1 healthy; .2 another registry_url; .3 /api/repositories/top 500; .4 never answers; .5 refuses.
  assert.deepEqual(status, {
    "harbor_80/harbor1": true,
    "harbor_80/harbor2": false,
    "harbor_80/harbor3": false,
    "harbor_80/harbor4": false,
    "harbor_80/harbor5": false,
  });
  assert.equal(vip.trim(), "200");
});

test("Harbor 2.x: HAProxy takes out the node whose database Harbor reports unhealthy, not the one with only Trivy down", () => {
  const [stat = "", vip = ""] = runHaproxy(5, [showStat, "vip"], conf2Path);
  const status = Object.fromEntries(parseHaproxyStat(stat).map((s) => [`${s.backend}/${s.server}`, takesTraffic(s)]));
  // 127.0.0.1 healthy; .2 Trivy unhealthy; .3 database unhealthy; .4 never answers; .5 refuses.
  assert.deepEqual(status, {
    "harbor_80/harbor1": true,
    "harbor_80/harbor2": true,
    "harbor_80/harbor3": false,
    "harbor_80/harbor4": false,
    "harbor_80/harbor5": false,
  });
  assert.equal(vip.trim(), "200");
});

test("a node drained through the runtime API gets no new connections; ready takes it back", () => {
  const drain = renderShell(haproxySetStateCommand([{ backend: "harbor_80", server: "harbor1" }], "drain"), { reveal: true });
  const ready = renderShell(haproxySetStateCommand([{ backend: "harbor_80", server: "harbor1" }], "ready"), { reveal: true });
  const [stat = "", drained = "", , back = ""] = runHaproxy(3, [`${drain} >/dev/null && ${showStat}`, "vip", ready, "vip"]);
  assert.equal(parseHaproxyStat(stat).find((s) => s.server === "harbor1")?.status, "DRAIN");
  assert.notEqual(drained.trim(), "200", "a drained node took a new connection");
  assert.equal(back.trim(), "200");
});

test("a refused runtime command fails the command (the runtime API itself always exits 0)", () => {
  const wrong = renderShell(haproxySetStateCommand([{ backend: "harbor_80", server: "no-such-node" }], "drain"), { reveal: true });
  const [out = ""] = runHaproxy(0, [wrong]);
  assert.match(out, /HAProxy refused 'set server harbor_80\/no-such-node state drain'/);
  assert.match(out, /failed: 1/);
});

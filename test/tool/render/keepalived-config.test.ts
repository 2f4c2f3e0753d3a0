/**
 * Every rendered keepalived.conf passes `keepalived -t`, run where it would run: in a
 * throwaway network namespace holding the LB's interface and address, with the script
 * user and the rendered check.sh present (a private mount namespace overlays them).
 *
 * keepalived 2.2.7 (Debian 12) ends `-t` with SIGTERM to itself, and skips its later checks
 * (interfaces), once a MISC_CHECK with a valid script user is configured. So each file is
 * checked twice: whole (must print nothing, exit 0 or that SIGTERM), and without its
 * MISC_CHECK blocks (must exit 0: interfaces, addresses, virtual servers).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { requireRoot } from "../../support/root.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { CHECK_SCRIPT_PATH } from "../../../src/render/loadbalancer.js";
import { stripCheckers } from "../../../src/plan/keepalived-check.js";
import {
  addInterface,
  buildTestInventory,
  createNetns,
  inventoryData,
  SCRIPT_USER_SANDBOX,
  makeTestTls,
  readFixtureState,
  runInNetns,
} from "../../support/inventories.js";

const KEEPALIVED_TEST = `
set -e
conf=$1 check=$2 user=$3 dir=$4
${SCRIPT_USER_SANDBOX}install -m 0755 "$check" /usr/local/bin/check.sh
set +e
keepalived -t -l -f "$conf"
echo "exit=$?"
`;

function stripMiscChecks(conf: string): string {
  return conf.replace(/\n\s*MISC_CHECK \{[^}]*\}/g, "");
}

function keepalivedTest(ns: string, conf: string, check: string, user: string): { exit: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "hha-kt-"));
  try {
    writeFileSync(join(dir, "keepalived.conf"), conf);
    writeFileSync(join(dir, "check.sh"), check, { mode: 0o755 });
    const r = runInNetns(ns, KEEPALIVED_TEST, [join(dir, "keepalived.conf"), join(dir, "check.sh"), user, dir]);
    assert.equal(r.error, undefined, "keepalived must be installed (apt-get install keepalived)");
    const m = /exit=(\d+)\n$/.exec(r.stdout);
    assert.ok(m, `the test harness failed: ${r.stderr}`);
    return { exit: Number(m[1]), output: (r.stdout.slice(0, m.index) + r.stderr).replace(/^Terminated\n/m, "").trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function checkEveryLb(inv: Inventory): Promise<void> {
  const desired = renderDesiredState(inv, await readFixtureState());
  for (const [i, lb] of inv.data.load_balancers.entries()) {
    const files = desired.hosts[i]?.files ?? [];
    const conf = files.find((f) => f.path === "/etc/keepalived/keepalived.conf")?.content ?? "";
    const check = files.find((f) => f.path === CHECK_SCRIPT_PATH)?.content ?? "";
    const ns = createNetns();
    try {
      addInterface(ns.name, lb.interface, `${lb.address}/${inv.data.cluster.vip.split("/")[1]}`);
      const whole = keepalivedTest(ns.name, conf, check, inv.data.keepalived.script_user);
      assert.equal(whole.output, "", `${lb.name}: keepalived -t reported:\n${whole.output}`);
      assert.ok(whole.exit === 0 || whole.exit === 143, `${lb.name}: keepalived -t exited ${whole.exit}`);
      const core = keepalivedTest(ns.name, stripMiscChecks(conf), check, inv.data.keepalived.script_user);
      assert.equal(core.exit, 0, `${lb.name}: keepalived -t (without MISC_CHECK) exited ${core.exit}:\n${core.output}`);
      assert.equal(core.output, "", `${lb.name}: keepalived -t reported:\n${core.output}`);
    } finally {
      ns.remove();
    }
  }
}

before(() => requireRoot("network namespaces"));

test("keepalived -t accepts the example's load balancers", async () => {
  const { readInventory } = await import("../../../src/inventory/load.js");
  const { projectRoot } = await import("../../../src/paths.js");
  const { inventory } = await readInventory(join(projectRoot(), "inventory", "example.yaml"), { env: {} });
  await checkEveryLb(inventory);
});

test("keepalived -t accepts generated shapes (3 LBs https multicast, 2 LBs http unicast, 32 nodes)", async () => {
  const tls = makeTestTls("registry.test.example", true);
  await checkEveryLb(buildTestInventory(inventoryData({ lbs: 3, nodes: 4, protocol: "https", vrrpMode: "multicast", withCa: true }), tls));
  await checkEveryLb(buildTestInventory(inventoryData({ lbs: 2, nodes: 32, protocol: "http", vrrpMode: "unicast", explicitPriorities: true })));
});

test("keepalived -t accepts load_balancing: haproxy (no virtual servers; a vrrp_script tracks HAProxy)", async () => {
  const tls = makeTestTls("registry.test.example", true);
  const inv = buildTestInventory(
    inventoryData({ lbs: 2, nodes: 3, protocol: "https", vrrpMode: "unicast", withCa: true, loadBalancing: "haproxy" }),
    tls,
  );
  const conf =
    renderDesiredState(inv, await readFixtureState()).hosts[0]?.files.find((f) => f.path === "/etc/keepalived/keepalived.conf")?.content ?? "";
  assert.doesNotMatch(conf, /virtual_server/);
  assert.match(conf, /track_script \{\s+harbor_ha_haproxy\s+\}/);
  const ns = createNetns();
  try {
    addInterface(ns.name, "eth0", "10.30.0.11/24");
    // As the tool's own gate does it (execute/keepalived-check.ts): a vrrp_script ends -t in a silent SIGTERM, so the VRRP part decides.
    const whole = keepalivedTest(ns.name, conf, "", inv.data.keepalived.script_user);
    assert.equal(whole.output, "");
    assert.ok(whole.exit === 0 || whole.exit === 143, `keepalived -t exited ${whole.exit}`);
    const vrrp = keepalivedTest(ns.name, stripCheckers(conf), "", inv.data.keepalived.script_user);
    assert.equal(vrrp.exit, 0, `keepalived -t (VRRP part) exited ${vrrp.exit}:\n${vrrp.output}`);
    const broken = keepalivedTest(
      ns.name,
      stripCheckers(conf.replace("advert_int 1", "advert_int 1\n    no_such_keyword 1")),
      "",
      inv.data.keepalived.script_user,
    );
    assert.match(broken.output, /Unknown keyword 'no_such_keyword'/);
  } finally {
    ns.remove();
  }
});

test("the harness catches a broken configuration (so the checks above can fail)", async () => {
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }));
  const desired = renderDesiredState(inv, await readFixtureState());
  const conf = desired.hosts[0]?.files.find((f) => f.path === "/etc/keepalived/keepalived.conf")?.content ?? "";
  const ns = createNetns();
  try {
    addInterface(ns.name, "eth0", "10.30.0.11/24");
    const wrongInterface = keepalivedTest(ns.name, stripMiscChecks(conf.replaceAll("eth0", "eth9")), "", "keepalived_script");
    assert.notEqual(wrongInterface.exit, 0);
    const unknownKeyword = keepalivedTest(ns.name, conf.replace("protocol TCP", "protocol TCP\n    no_such_keyword 1"), "", "keepalived_script");
    assert.match(unknownKeyword.output, /Unknown keyword 'no_such_keyword'/);
  } finally {
    ns.remove();
  }
});

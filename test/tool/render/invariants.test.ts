/**
 * Properties every render must keep, over generated inventories:
 * 2–3 LBs × 2..32 nodes × http/https × unicast/multicast (× derived/explicit priorities).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterState, Inventory, TlsMaterial } from "../../../src/inventory/model.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredFile, DesiredHost } from "../../../src/desired/types.js";
import { buildTestInventory, inventoryData, makeTestTls, readFixtureState, TEST_SECRETS, type ShapeOptions } from "../../support/inventories.js";

const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

function fileOf(h: DesiredHost, path: string): DesiredFile {
  const f = h.files.find((x) => x.path === path);
  assert.ok(f, `${h.host.name}: ${path} is rendered`);
  return f;
}

function checkLoadBalancers(inv: Inventory, lbs: DesiredHost[], label: string): void {
  const confs = lbs.map((h) => fileOf(h, KEEPALIVED_CONF).content);
  const states = confs.map((c) => /^\s*state (\w+)$/m.exec(c)?.[1]);
  const priorities = confs.map((c) => Number(/^\s*priority (\d+)$/m.exec(c)?.[1]));
  assert.equal(states.filter((s) => s === "MASTER").length, 1, `${label}: exactly one MASTER`);
  assert.equal(new Set(priorities).size, priorities.length, `${label}: distinct priorities ${priorities}`);
  const top = Math.max(...priorities);
  assert.equal(priorities.filter((p) => p === top).length, 1, `${label}: one top priority`);
  assert.equal(states[priorities.indexOf(top)], "MASTER", `${label}: the top priority is the MASTER`);
  const ports = inv.data.cluster.protocol === "https" ? [80, 443] : [80];
  for (const [i, conf] of confs.entries()) {
    const servers = conf.split(/^virtual_server /m).slice(1);
    assert.deepEqual(
      servers.map((s) => Number(s.split(" ")[1])),
      ports,
      `${label}: virtual servers of lb ${i}`,
    );
    for (const [j, block] of servers.entries()) {
      for (const node of inv.data.harbor_nodes) {
        assert.ok(block.includes(`real_server ${node.address} ${ports[j]} {`), `${label}: ${node.name} in lb ${i} port ${ports[j]}`);
        assert.ok(block.includes(`misc_path "/usr/local/bin/check.sh ${node.address}"`), `${label}: check of ${node.name}`);
      }
      assert.equal(block.match(/real_server /g)?.length, inv.data.harbor_nodes.length);
    }
    const unicast = inv.data.keepalived.vrrp_mode === "unicast";
    assert.equal(conf.includes("unicast_peer"), unicast, `${label}: unicast_peer only with unicast`);
    if (unicast) {
      for (const [k, other] of inv.data.load_balancers.entries()) {
        const listed = new RegExp(`^\\s+${other.address.replaceAll(".", "\\.")}$`, "m").test(conf);
        assert.equal(listed, k !== i, `${label}: lb ${i} lists peer ${other.name} iff it is another LB`);
      }
    }
  }
}

function checkNodesShareSecrets(nodes: DesiredHost[], state: ClusterState, tls: TlsMaterial | undefined, label: string): void {
  const shared = ["/data/secretkey", "/opt/harbor/ha/secretkey", "/opt/harbor/ha/private_key.pem", "/opt/harbor/ha/root.crt"];
  if (tls)
    shared.push(
      "/data/cert/server.crt",
      "/data/cert/server.key",
      "/data/ca_download/ca.crt",
      "/opt/harbor/ha/server.crt",
      "/opt/harbor/ha/server.key",
      "/opt/harbor/ha/ca.crt",
    );
  for (const path of shared) {
    const contents = new Set(nodes.map((n) => fileOf(n, path).content));
    assert.equal(contents.size, 1, `${label}: ${path} identical on every node`);
  }
  assert.equal(fileOf(nodes[0] as DesiredHost, "/data/secretkey").content, state.secretkey.reveal());
  for (const n of nodes) {
    assert.equal(fileOf(n, "/opt/harbor/harbor.cfg").mode, 0o600);
    assert.match(fileOf(n, "/opt/harbor/harbor.cfg").content, /^customize_crt = off$/m);
  }
}

/** Each secret may appear only in the files that need it (and never in a non-sensitive file otherwise). */
function checkSecretsConfined(hosts: DesiredHost[], state: ClusterState, label: string): void {
  const allowed: Array<[string, string[]]> = [
    [TEST_SECRETS.authPass, [KEEPALIVED_CONF]],
    [TEST_SECRETS.dbPassword, ["/opt/harbor/harbor.cfg"]],
    [TEST_SECRETS.adminPassword, ["/opt/harbor/harbor.cfg"]],
    [TEST_SECRETS.clairPassword, ["/opt/harbor/harbor.cfg"]],
    [state.secretkey.reveal(), ["/data/secretkey", "/opt/harbor/ha/secretkey"]],
    [state.tokenPrivateKey.reveal().split("\n")[1] ?? "", ["/opt/harbor/ha/private_key.pem"]],
  ];
  for (const h of hosts) {
    for (const f of h.files) {
      for (const [secret, paths] of allowed) {
        if (!paths.includes(f.path)) assert.ok(!f.content.includes(secret), `${label}: a secret leaked into ${h.host.name}:${f.path}`);
      }
    }
  }
}

test("invariants hold over 2–3 LBs × 2..32 nodes × http/https × unicast/multicast", async () => {
  const state = await readFixtureState();
  const tlsByCa = new Map([true, false].map((ca) => [ca, makeTestTls("registry.test.example", ca)] as const));
  let shapes = 0;
  for (const lbs of [2, 3]) {
    for (const nodes of [2, 3, 7, 16, 32]) {
      for (const protocol of ["http", "https"] as const) {
        for (const vrrpMode of ["unicast", "multicast"] as const) {
          for (const explicitPriorities of [false, true]) {
            const o: ShapeOptions = { lbs, nodes, protocol, vrrpMode, explicitPriorities, withCa: nodes % 2 === 0 };
            const tls = protocol === "https" ? tlsByCa.get(o.withCa ?? false) : undefined;
            const inv = buildTestInventory(inventoryData(o), tls);
            const desired = renderDesiredState(inv, state);
            const label = JSON.stringify(o);
            checkLoadBalancers(
              inv,
              desired.hosts.filter((h) => h.host.role === "loadbalancer"),
              label,
            );
            checkNodesShareSecrets(
              desired.hosts.filter((h) => h.host.role === "harbor-node"),
              state,
              tls,
              label,
            );
            checkSecretsConfined(desired.hosts, state, label);
            for (const f of desired.hosts.flatMap((h) => h.files)) {
              if (!f.path.endsWith("/secretkey")) assert.ok(f.content.endsWith("\n"), `${label}: ${f.path} ends with a newline`);
            }
            shapes++;
          }
        }
      }
    }
  }
  assert.equal(shapes, 80);
});

test("object store settings reach harbor.cfg as Harbor's key: value list; storage kinds differ as documented", async () => {
  const state = await readFixtureState();
  const render = (storage: ShapeOptions["storage"]) =>
    renderDesiredState(buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", storage })), state)
      .hosts[2] as DesiredHost;
  const s3 = render("object_store");
  const cfg = fileOf(s3, "/opt/harbor/harbor.cfg").content;
  assert.match(cfg, /^registry_storage_provider_name = s3$/m);
  assert.match(cfg, new RegExp(`^registry_storage_provider_config = region: eu-west-1, bucket: harbor, secretkey: ${TEST_SECRETS.s3Secret}$`, "m"));
  assert.deepEqual(
    s3.directories.map((d) => d.path),
    ["/data/job_logs"],
  );
  assert.deepEqual(s3.mounts, []);
  const nfs = render("nfs");
  assert.deepEqual(
    nfs.mounts.map((m) => `${m.source} ${m.target} ${m.fstype}`),
    ["10.30.0.40:/exports/registry /data/registry nfs", "10.30.0.40:/exports/job_logs /data/job_logs nfs"],
  );
  assert.ok(nfs.packages.includes("nfs-common"));
  assert.ok(nfs.directories.every((d) => d.owner === "10000" && d.group === "10000"));
  const mounted = render("mounted");
  assert.deepEqual(mounted.requiredMounts, ["/data/registry", "/data/job_logs"]);
  assert.match(fileOf(mounted, "/opt/harbor/harbor.cfg").content, /^registry_storage_provider_name = filesystem$/m);
});

test("harbor.cfg: redis_url is host:port only, even with a password and db index (Harbor 1.x copies it into the registry's redis.addr)", async () => {
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" });
  raw.redis = { host: "10.30.0.32", port: 6380, password: TEST_SECRETS.redisPassword, db_index: 1 };
  const desired = renderDesiredState(buildTestInventory(raw), await readFixtureState());
  for (const f of desired.hosts.flatMap((h) => h.files))
    assert.ok(!f.content.includes(TEST_SECRETS.redisPassword), `the Redis password reached ${f.path}`);
  const cfg = fileOf(desired.hosts[2] as DesiredHost, "/opt/harbor/harbor.cfg").content;
  assert.match(cfg, /^redis_url = 10\.30\.0\.32:6380$/m);
});

test("harbor.cfg: pass-through keys once, node overrides last, optional keys only when set", async () => {
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" });
  (raw.harbor as Record<string, unknown>).extra_cfg = {
    auth_mode: "db_auth",
    custom_key: "x",
    log_rotate_count: 4,
    ldap_searchdn: "cn=s",
    ldap_search_pwd: "p",
  };
  (raw.harbor_nodes as Array<Record<string, unknown>>)[1] = {
    name: "harbor2",
    address: "10.30.1.11",
    harbor_cfg: { log_rotate_count: 9, custom_key: "y" },
  };
  const desired = renderDesiredState(buildTestInventory(raw), await readFixtureState());
  const [n1, n2] = desired.hosts.filter((h) => h.host.role === "harbor-node").map((h) => fileOf(h, "/opt/harbor/harbor.cfg").content);
  assert.match(n1 ?? "", /^log_rotate_count = 4$/m);
  assert.match(n2 ?? "", /^log_rotate_count = 9$/m);
  assert.match(n1 ?? "", /^ldap_searchdn = cn=s$/m);
  assert.doesNotMatch(n1 ?? "", /ldap_filter/, "an optional key nobody set is left out");
  for (const cfg of [n1 ?? "", n2 ?? ""]) {
    const keys = cfg
      .split("\n")
      .filter((l) => /^[a-z_]+ =/.test(l))
      .map((l) => l.split(" ")[0]);
    assert.equal(new Set(keys).size, keys.length, "no key twice (Harbor's ConfigParser rejects duplicates)");
  }
  assert.match(n1 ?? "", /^custom_key = x$/m);
  assert.match(n2 ?? "", /^custom_key = y$/m);
});

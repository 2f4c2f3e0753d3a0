/**
 * adopt --write-inventory: an inventory of what the running cluster runs (VIP, router id, VRRP
 * mode, priorities, interfaces, Harbor's hostname, release, database and Redis endpoints, NFS
 * storage) starting from the operator's own, with "adopt:" comments; validate passes on it, and
 * a second adopt through it finds nothing that differs. No secret read from a host is in it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { stringify } from "yaml";
import { adoptCluster } from "../../../src/adopt/adopt.js";
import { readInventory } from "../../../src/inventory/load.js";
import { UsageError } from "../../../src/errors.js";
import { inventoryData } from "../../support/inventories.js";
import { adoptFakes, SECRETKEY } from "../../support/fakes/adopt-hosts.js";
import type { HandBuilt } from "../../support/fakes/adopt-hosts.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The operator's first inventory: the hosts and how to reach them right, the rest Harbor's defaults or guesses. */
async function operatorInventory() {
  const dir = mkdtempSync(join(tmpdir(), "adopt-inv-"));
  dirs.push(dir);
  writeFileSync(join(dir, "db-password"), "Db-Secret-Pw-42\n", { mode: 0o600 });
  const data = inventoryData({ lbs: 2, nodes: 3, protocol: "http", vrrpMode: "multicast" });
  (data["database"] as Record<string, unknown>)["password"] = "${file:db-password}";
  writeFileSync(join(dir, "inventory.yaml"), `# my cluster, as I remember it\n${stringify(data)}`);
  const { inventory } = await readInventory(join(dir, "inventory.yaml"), { env: {} });
  return { dir, inv: inventory };
}

const CLUSTER: HandBuilt = {
  vip: "10.30.0.200/24",
  routerId: 51,
  lbs: { lb1: { iface: "ens4", priority: 150, peers: ["10.30.0.12"] }, lb2: { iface: "ens4", priority: 100, peers: ["10.30.0.11"] } },
  nodes: { harbor1: SECRETKEY, harbor2: SECRETKEY, harbor3: SECRETKEY },
  harborCfg:
    "hostname = registry.found.example\nui_url_protocol = http\ndb_host = 10.30.0.99\ndb_port = 3307\ndb_user = harbor\n" +
    "db_password = Db-Secret-Pw-42\nredis_url = 10.30.0.98:6380\n",
  release: "1.4.0",
  registryMount: { source: "10.30.0.77:/srv/registry", fstype: "nfs4", options: "rw,relatime,vers=4.1" },
};

test("the written inventory holds what the cluster runs, with comments, validates, and a second adopt through it finds no difference", async () => {
  const { dir, inv } = await operatorInventory();
  const first = await adoptCluster(inv, { ...adoptFakes(CLUSTER).opts, writeInventory: join(dir, "adopted.yaml") });
  assert.ok(first.differences.length > 5, "the operator's inventory differs from the cluster");
  assert.deepEqual(first.inventory, { path: join(dir, "adopted.yaml"), written: true });
  const text = readFileSync(join(dir, "adopted.yaml"), "utf8");
  assert.match(text, /^# Written by harbor-ha adopt/);
  assert.match(text, /# my cluster, as I remember it/);
  assert.match(text, /virtual_router_id: 51 # adopt: from lb1 \/etc\/keepalived\/keepalived.conf/);
  assert.match(text, /password: \$\{file:db-password\}/);
  assert.match(text, /# adopt: the password is not read back/);
  for (const secret of [SECRETKEY, "s3cr3tpw", "Db-Secret-Pw-42"]) assert.ok(!text.includes(secret), `${secret} reached the inventory`);

  const { inventory: adopted, warnings } = await readInventory(join(dir, "adopted.yaml"), { env: {} });
  assert.ok(warnings.every((w) => w.severity === "warning"));
  const d = adopted.data;
  assert.equal(d.cluster.vip, "10.30.0.200/24");
  assert.equal(d.cluster.hostname, "registry.found.example");
  assert.deepEqual([d.keepalived.virtual_router_id, d.keepalived.vrrp_mode], [51, "unicast"]);
  assert.deepEqual(
    d.load_balancers.map((l) => [l.interface, l.priority]),
    [
      ["ens4", 150],
      ["ens4", 100],
    ],
  );
  assert.deepEqual([d.database.host, d.database.port], ["10.30.0.99", 3307]);
  assert.deepEqual([d.redis.host, d.redis.port], ["10.30.0.98", 6380]);
  assert.deepEqual(d.storage, { ...d.storage, type: "nfs", server: "10.30.0.77", registry_export: "/srv/registry" });
  const second = await adoptCluster(adopted, adoptFakes(CLUSTER).opts);
  assert.deepEqual(second.differences, []);
  assert.deepEqual(second.kept?.written, []);
});

test("--write-inventory outside the inventory's folder, or over an existing file: refused before any host is read", async () => {
  const { dir, inv } = await operatorInventory();
  const elsewhere = adoptFakes(CLUSTER);
  await assert.rejects(adoptCluster(inv, { ...elsewhere.opts, writeInventory: join(tmpdir(), "adopted.yaml") }), UsageError);
  writeFileSync(join(dir, "adopted.yaml"), "mine\n");
  await assert.rejects(adoptCluster(inv, { ...elsewhere.opts, writeInventory: join(dir, "adopted.yaml") }), /exists already/);
  assert.equal(elsewhere.asked.length, 0);
  assert.equal(readFileSync(join(dir, "adopted.yaml"), "utf8"), "mine\n");
});

test("--write-inventory with --dry-run: nothing written", async () => {
  const { dir, inv } = await operatorInventory();
  const r = await adoptCluster(inv, { ...adoptFakes(CLUSTER).opts, dryRun: true, writeInventory: join(dir, "adopted.yaml") });
  assert.deepEqual(r.inventory, { path: join(dir, "adopted.yaml"), written: false });
  assert.throws(() => readFileSync(join(dir, "adopted.yaml")));
});

test("the guide's sample gives every load balancer priority 10: the inventory gets distinct ones that keep VRRP's winner (the higher address), saying it guessed", async () => {
  const { dir, inv } = await operatorInventory();
  const sample: HandBuilt = { ...CLUSTER, lbs: { lb1: { iface: "eth0", priority: 10 }, lb2: { iface: "ens3", priority: 10 } } };
  await adoptCluster(inv, { ...adoptFakes(sample).opts, writeInventory: join(dir, "adopted.yaml") });
  const text = readFileSync(join(dir, "adopted.yaml"), "utf8");
  assert.match(text, /priority: 9 # adopt: guessed: lb1's keepalived.conf says 10, the same as another/);
  const { inventory } = await readInventory(join(dir, "adopted.yaml"), { env: {} });
  assert.deepEqual(
    inventory.data.load_balancers.map((l) => [l.name, l.priority]),
    [
      ["lb1", 9],
      ["lb2", 10],
    ],
  );
});

/**
 * adopt over fake hosts: the nodes' own secrets become the state folder's when every node holds
 * the same copies; nodes that disagree are refused with a table (no value in it) and which
 * secretkey decrypts the database's encrypted values; a second run finds the cluster adopted; a
 * state folder holding another cluster's secrets is refused; a dry run writes nothing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { adoptCluster } from "../../../src/adopt/adopt.js";
import { formatAdoptReport, adoptReportJson } from "../../../src/cli/report/adopt.js";
import { HarborHaError } from "../../../src/errors.js";
import type { EncryptedSetting } from "../../../src/plan/harbor-encryption.js";
import { effectivePriorities } from "../../../src/inventory/model.js";
import { buildTestInventory, inventoryData } from "../../support/inventories.js";
import { adoptFakes, harborEncrypt, OTHER_KEY, SECRETKEY, TOKEN_CERT, TOKEN_KEY } from "../../support/fakes/adopt-hosts.js";

const LDAP_PASSWORD = "Ldap-Search-Pw-1";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function world() {
  const dir = mkdtempSync(join(tmpdir(), "adopt-test-"));
  dirs.push(dir);
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 3, protocol: "http", vrrpMode: "unicast" }), undefined, dir);
  return { dir, inv, stateDir: join(dir, ".harbor-ha", "gen") };
}

/** The cluster as the inventory describes it, but lb2's priority. */
function fakes(nodes: Record<string, string>, encrypted: EncryptedSetting[] = []) {
  return adoptFakes(
    {
      vip: "10.30.0.250/24",
      routerId: 77,
      lbs: { lb1: { iface: "eth0", priority: PRIORITIES[0] ?? 0 }, lb2: { iface: "ens3", priority: 42 } },
      nodes,
      harborCfg:
        "hostname = registry.test.example\nui_url_protocol = http\ndb_host = 10.30.0.31\ndb_port = 3306\ndb_user = harbor\n" +
        "db_password = Db-Secret-Pw-42\nredis_url = 10.30.0.32:6379\n",
      release: "1.4.0",
    },
    encrypted,
  );
}

const PRIORITIES = effectivePriorities(world().inv.data.load_balancers);
const SAME = { harbor1: SECRETKEY, harbor2: SECRETKEY, harbor3: SECRETKEY };

test("every node holds the same secrets: the state folder gets them as read, one read of each host, only read facts asked", async () => {
  const { inv, stateDir } = world();
  const { opts, asked } = fakes(SAME);
  const r = await adoptCluster(inv, opts);
  assert.ok(r.decision.agreement.agreed);
  assert.deepEqual(r.kept?.written, ["secretkey", "token_private_key.pem", "token_root.crt"]);
  assert.equal(readFileSync(join(stateDir, "secretkey"), "utf8"), SECRETKEY);
  assert.equal(readFileSync(join(stateDir, "token_private_key.pem"), "utf8"), TOKEN_KEY);
  assert.equal(readFileSync(join(stateDir, "token_root.crt"), "utf8"), TOKEN_CERT);
  assert.equal(asked.length, 1);
  const kinds = new Set([...(asked[0]?.values() ?? [])].flat().map((q) => q.kind));
  assert.deepEqual([...kinds].sort(), ["fstab", "http", "keepalived", "mount", "read"]);
  // What the cluster runs matches the inventory here, but lb2's priority: the only difference shown.
  assert.deepEqual(r.differences, [{ host: "lb2", what: "keepalived priority", found: "42", inventory: String(PRIORITIES[1]) }]);
  const text = formatAdoptReport(r) + JSON.stringify(adoptReportJson(r));
  for (const secret of [SECRETKEY, "MIIfakekey", "Db-Secret-Pw-42"]) assert.ok(!text.includes(secret), `the report shows ${secret}`);
});

test("nodes that disagree: exit-2 report with a table of keyed tags, which secretkey decrypts the database's values, nothing written", async () => {
  const { inv, stateDir } = world();
  const encrypted = [{ key: "ldap_search_password", stored: harborEncrypt(LDAP_PASSWORD, SECRETKEY) }];
  const { opts } = fakes({ harbor1: SECRETKEY, harbor2: OTHER_KEY, harbor3: SECRETKEY }, encrypted);
  const r = await adoptCluster(inv, opts);
  assert.ok(!r.decision.agreement.agreed);
  assert.equal(r.kept, undefined);
  assert.equal(existsSync(stateDir), false);
  const text = formatAdoptReport(r);
  assert.match(text, /secretkey\s+[0-9a-f]{12}: harbor1, harbor3\s+[0-9a-f]{12}: harbor2/);
  assert.match(text, /\(harbor1, harbor3\): decrypts the 1 encrypted value/);
  assert.match(text, /\(harbor2\): does NOT decrypt/);
  const json = JSON.stringify(adoptReportJson(r));
  for (const secret of [SECRETKEY, OTHER_KEY, LDAP_PASSWORD, encrypted[0]?.stored ?? "?"]) {
    assert.ok(!text.includes(secret) && !json.includes(secret), "a value reached the report");
  }
});

test("a second adopt finds the cluster adopted: nothing written, every file already held", async () => {
  const { inv, stateDir } = world();
  await adoptCluster(inv, fakes(SAME).opts);
  const before = readdirSync(stateDir).sort();
  const r = await adoptCluster(inv, fakes(SAME).opts);
  assert.deepEqual(r.kept?.written, []);
  assert.deepEqual(r.kept?.alreadyHeld, ["secretkey", "token_private_key.pem", "token_root.crt"]);
  assert.deepEqual(readdirSync(stateDir).sort(), before);
  assert.match(formatAdoptReport(r), /Already adopted/);
});

test("a state folder holding another cluster's secretkey: refused with exit 2, naming the file, the folder left as it was", async () => {
  const { inv, stateDir } = world();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(stateDir, "secretkey"), OTHER_KEY, { mode: 0o600 });
  await assert.rejects(adoptCluster(inv, fakes(SAME).opts), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /holds another secretkey .*\(secretkey, compared by content, not shown\)/);
    assert.ok(!e.message.includes(OTHER_KEY) && !e.message.includes(SECRETKEY));
    return true;
  });
  assert.deepEqual(readdirSync(stateDir), ["secretkey"]);
  assert.equal(readFileSync(join(stateDir, "secretkey"), "utf8"), OTHER_KEY);
});

test("--dry-run: says what it would write and writes nothing, not even the state folder", async () => {
  const { inv, stateDir } = world();
  const r = await adoptCluster(inv, { ...fakes(SAME).opts, dryRun: true });
  assert.deepEqual(r.kept?.written, ["secretkey", "token_private_key.pem", "token_root.crt"]);
  assert.equal(existsSync(stateDir), false);
  assert.match(formatAdoptReport(r), /would write secretkey, token_private_key.pem, token_root.crt .*the dry run wrote nothing/);
});

/**
 * adopt on clusters built by hand as Harbor's HA guide says (scripts/lab.sh up --hand-built: Harbor's
 * own install.sh, the guide's keepalived sample and check.sh, the first node's secretkey copied to
 * the others; no harbor-ha): an image pushed and an LDAP search password stored through Harbor's
 * API (encrypted with the secretkey in the database) → nodes that hold differing secretkeys are
 * refused with the table → adopt keeps the nodes' own secrets and writes an inventory that
 * validates → provision from it replaces no secret (checksums before and after), the image pulls
 * through another node, the stored password still decrypts with the nodes' secretkey, status is
 * healthy.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { makeImage, pullImage, pushImage, putHarborConfigurations } from "./helpers/registry.js";
import { harborDecrypt } from "../../src/plan/harbor-encryption.js";

const LDAP_PASSWORD = "Ldap-Search-Pw-e2e";

const SECRET_FILES = [
  "/data/secretkey",
  "/opt/harbor/common/config/ui/private_key.pem",
  "/opt/harbor/common/config/registry/root.crt",
  "/opt/harbor/common/config/nginx/cert/server.crt",
  "/opt/harbor/common/config/nginx/cert/server.key",
];

async function checksums(lab: Lab, nodes: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const node of nodes) out[node] = (await lab.sshRun(node, `sha256sum ${SECRET_FILES.join(" ")}`)).stdout;
  return out;
}

describe("adopt a Harbor 1.4 cluster built by hand from the HA guide (https, 2 load balancers, 2 nodes)", { timeout: 600_000 }, () => {
  let lab: Lab;
  let work: string;
  let stateDir: string;
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 2, protocol: "https", harborVersion: "1.4", handBuilt: true });
    work = mkdtempSync(join(tmpdir(), "hha-adopt-"));
    stateDir = join(lab.dir, ".harbor-ha", "lab");
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await labDown();
  });

  it("the hand-built cluster serves: an image pushed through harbor1, an LDAP search password stored through Harbor's API", async () => {
    await makeImage(join(work, "img"), "v1", "adopted");
    const push = await pushImage(lab, "harbor1", join(work, "img"), "v1", "adopted");
    assert.equal(push.code, 0, push.stdout + push.stderr);
    await putHarborConfigurations(lab, "harbor1", { ldap_search_password: LDAP_PASSWORD });
    assert.equal(existsSync(stateDir), false, "no harbor-ha state yet");
  });

  it("provision before adopt: refused with exit 2 naming adopt, nothing changed on any node; adopt then refuses the secrets that run generated as another cluster's", async () => {
    const nodes = ["harbor1", "harbor2"];
    const before = await checksums(lab, nodes);
    const prov = await runCli(["provision", lab.inventoryPath]);
    assert.equal(prov.code, 2, prov.stdout + prov.stderr);
    assert.match(prov.stderr, /harbor1: Harbor on this node depends on another .*secretkey/);
    assert.match(prov.stderr, /run `harbor-ha adopt` on this inventory/);
    assert.deepEqual(await checksums(lab, nodes), before);
    const stamp = await lab.sshRun("harbor1", "test -e /var/lib/harbor-ha && echo present || echo absent");
    assert.equal(stamp.stdout.trim(), "absent", "provision wrote on a node");
    const adopt = await runCli(["adopt", lab.inventoryPath]);
    assert.equal(adopt.code, 2, adopt.stdout + adopt.stderr);
    assert.match(adopt.stderr, /holds another secretkey.* than every node of this cluster/);
    rmSync(stateDir, { recursive: true, force: true }); // as adopt's hint says: move the generated files away
  });

  it("nodes holding different secretkeys: refused with exit 2, a table by keyed checksum and which key decrypts the database's values, nothing written", async () => {
    const original = (await lab.sshRun("harbor2", "cat /data/secretkey")).stdout;
    await lab.sshRun("harbor2", "cp -p /data/secretkey /root/secretkey.kept && printf 0123456789abcdef > /data/secretkey");
    try {
      const r = await runCli(["adopt", lab.inventoryPath]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /secretkey\s+[0-9a-f]{12}: harbor\d\s+[0-9a-f]{12}: harbor\d/);
      assert.match(r.stdout, /\(harbor1\): decrypts the \d+ encrypted value/);
      assert.match(r.stdout, /\(harbor2\): does NOT decrypt/);
      for (const v of [original, "0123456789abcdef", LDAP_PASSWORD]) assert.ok(!(r.stdout + r.stderr).includes(v), "a value was printed");
      assert.equal(existsSync(stateDir), false);
    } finally {
      await lab.sshRun("harbor2", "cp -p /root/secretkey.kept /data/secretkey");
    }
  });

  it("adopt keeps the nodes' own secrets, writes an inventory that validates; provision from it replaces none; the image pulls through harbor2; the password still decrypts; status is healthy", async () => {
    const nodes = ["harbor1", "harbor2"];
    const before = await checksums(lab, nodes);
    const r = await runCli(["adopt", lab.inventoryPath, "--write-inventory", join(lab.dir, "adopted.yaml")]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const secretkey = (await lab.sshRun("harbor1", "cat /data/secretkey")).stdout;
    assert.equal(readFileSync(join(stateDir, "secretkey"), "utf8"), secretkey);
    const again = await runCli(["adopt", lab.inventoryPath, "--dry-run"]);
    assert.match(again.stdout, /Already adopted/);

    const valid = await runCli(["validate", join(lab.dir, "adopted.yaml")]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    // Both nodes serve and harbor-ha reinstalls each (its own harbor.cfg): restarted together on purpose.
    const prov = await runCli(["provision", join(lab.dir, "adopted.yaml"), "--serial", "2"], { timeoutMs: 300_000 });
    assert.equal(prov.code, 0, prov.stdout + prov.stderr);
    assert.deepEqual(await checksums(lab, nodes), before, "provision replaced a secret");

    const pull = await pullImage(lab, "harbor2", "adopted", "v1", join(work, "pulled"));
    assert.equal(pull.code, 0, pull.stdout + pull.stderr);
    const stored = await lab.sshRun("db", "mariadb -N -e \"select v from registry.properties where k='ldap_search_password'\"");
    assert.equal(harborDecrypt(stored.stdout.trim(), secretkey)?.toString("utf8"), LDAP_PASSWORD);
    const status = await runCli(["status", join(lab.dir, "adopted.yaml")]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    // The cluster is harbor-ha's now: a second run from the written inventory has nothing to do.
    const rerun = await runCli(["provision", join(lab.dir, "adopted.yaml"), "--dry-run", "--json"]);
    const doc = JSON.parse(rerun.stdout) as { run: { changed: boolean }; steps: Array<{ host: string; title: string }> };
    assert.equal(doc.run.changed, false, JSON.stringify(doc.steps.map((x) => [x.host, x.title])));
  });
});

const SECRET_FILES_2 = [
  "/data/secret/keys/secretkey",
  "/data/secret/core/private_key.pem",
  "/data/secret/registry/root.crt",
  "/data/secret/cert/server.crt",
];

describe(
  "adopt a Harbor 2.15 cluster built by hand (Harbor's install.sh on each node, https, 2 load balancers, 2 nodes)",
  { timeout: 600_000 },
  () => {
    let lab: Lab;
    let work: string;
    before(async () => {
      lab = await labUp({ lbs: 2, nodes: 2, protocol: "https", harborVersion: "2.15", handBuilt: true });
      work = mkdtempSync(join(tmpdir(), "hha-adopt2-"));
    });
    after(async () => {
      rmSync(work, { recursive: true, force: true });
      await labDown();
    });

    it("an image and an LDAP search password stored through Harbor's API → adopt → provision replaces no secret; the image pulls through harbor2; the password decrypts; status healthy", async () => {
      await makeImage(join(work, "img"), "v1", "adopted2");
      const push = await pushImage(lab, "harbor1", join(work, "img"), "v1", "adopted2");
      assert.equal(push.code, 0, push.stdout + push.stderr);
      await putHarborConfigurations(lab, "harbor1", { ldap_search_password: LDAP_PASSWORD });
      const nodes = ["harbor1", "harbor2"];
      const sums = async () =>
        Object.fromEntries(await Promise.all(nodes.map(async (n) => [n, (await lab.sshRun(n, `sha256sum ${SECRET_FILES_2.join(" ")}`)).stdout])));
      const before = await sums();

      const r = await runCli(["adopt", lab.inventoryPath, "--write-inventory", join(lab.dir, "adopted.yaml")]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /different core secrets .*adopt keeps harbor1's/);
      const secretkey = (await lab.sshRun("harbor1", "cat /data/secret/keys/secretkey")).stdout;
      assert.equal(readFileSync(join(lab.dir, ".harbor-ha", "lab", "secretkey"), "utf8"), secretkey);
      const valid = await runCli(["validate", join(lab.dir, "adopted.yaml")]);
      assert.equal(valid.code, 0, valid.stdout + valid.stderr);

      // Both nodes serve and harbor-ha reinstalls each (its own harbor.cfg): restarted together on purpose.
      const prov = await runCli(["provision", join(lab.dir, "adopted.yaml"), "--serial", "2"], { timeoutMs: 300_000 });
      assert.equal(prov.code, 0, prov.stdout + prov.stderr);
      assert.deepEqual(await sums(), before, "provision replaced a secret");
      const pull = await pullImage(lab, "harbor2", "adopted2", "v1", join(work, "pulled"));
      assert.equal(pull.code, 0, pull.stdout + pull.stderr);
      const stored = await lab.sshRun(
        "db",
        "runuser -u postgres -- psql -d registry -tAc \"select v from properties where k='ldap_search_password'\"",
      );
      assert.equal(harborDecrypt(stored.stdout.trim(), secretkey)?.toString("utf8"), LDAP_PASSWORD);
      const status = await runCli(["status", join(lab.dir, "adopted.yaml")]);
      assert.equal(status.code, 0, status.stdout + status.stderr);
      // The core, job service and CSRF secrets are pinned now: a second run has nothing to do.
      const rerun = await runCli(["provision", join(lab.dir, "adopted.yaml"), "--dry-run", "--json"]);
      const doc = JSON.parse(rerun.stdout) as { run: { changed: boolean }; steps: Array<{ host: string; title: string }> };
      assert.equal(doc.run.changed, false, JSON.stringify(doc.steps.map((x) => [x.host, x.title])));
    });
  },
);

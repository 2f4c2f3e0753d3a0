/** The cluster state folder: generated once with the right modes, read back unchanged. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { clusterStateDir, readClusterState, readOrCreateClusterState } from "../../../src/secrets/cluster-state.js";
import { buildTestInventory, inventoryData } from "../../support/inventories.js";

test("readOrCreateClusterState generates once (0700 folder, 0600 files) and then reads the same state back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-state-"));
  try {
    const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }), undefined, dir);
    await assert.rejects(readClusterState(clusterStateDir(inv)), HarborHaError, "reading never creates");
    const created = await readOrCreateClusterState(inv);
    assert.deepEqual(created.notes, []);
    const first = created.state;
    // PKCS#1, the only RSA form Harbor 1.x's token service (libtrust) reads.
    assert.match(first.tokenPrivateKey.reveal(), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const stateDir = join(dir, ".harbor-ha", "gen");
    assert.equal(clusterStateDir(inv), stateDir);
    assert.equal(statSync(stateDir).mode & 0o777, 0o700);
    for (const f of ["secretkey", "token_private_key.pem", "token_root.crt"]) assert.equal(statSync(join(stateDir, f)).mode & 0o777, 0o600, f);
    assert.match(first.secretkey.reveal(), /^[A-Za-z0-9]{16}$/);
    const second = (await readOrCreateClusterState(inv)).state;
    assert.equal(second.secretkey.reveal(), first.secretkey.reveal());
    assert.equal(second.tokenPrivateKey.reveal(), first.tokenPrivateKey.reveal());
    assert.equal(second.tokenCertificatePem, first.tokenCertificatePem);
    // The certificate belongs to the key, is RSA 4096, and lasts ten years.
    const certKey = execFileSync("openssl", ["x509", "-noout", "-pubkey", "-in", join(stateDir, "token_root.crt")], { encoding: "utf8" });
    const key = execFileSync("openssl", ["rsa", "-pubout", "-in", join(stateDir, "token_private_key.pem")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    assert.equal(certKey, key);
    const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", join(stateDir, "token_root.crt")], { encoding: "utf8" });
    assert.match(text, /Public-Key: \(4096 bit\)/);
    const notAfter = new Date(
      execFileSync("openssl", ["x509", "-noout", "-enddate", "-in", join(stateDir, "token_root.crt")], { encoding: "utf8" }).split("=")[1] ?? "",
    );
    assert.ok(notAfter.getTime() - Date.now() > 9.9 * 365 * 86_400_000);
    assert.equal(String(first.secretkey), "[redacted]");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a secretkey of the wrong length is refused with a message naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-state-"));
  try {
    for (const [f, c] of [
      ["secretkey", "short\n"],
      ["token_private_key.pem", "k"],
      ["token_root.crt", "c"],
    ])
      writeFileSync(join(dir, f ?? ""), c ?? "");
    await assert.rejects(
      readClusterState(dir),
      (e: Error) => e instanceof HarborHaError && e.message.includes(join(dir, "secretkey")) && /exactly 16/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readOrCreateClusterState with persist: false (a dry run) creates nothing: the state is made in a removed copy", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hha-state-"));
  try {
    const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }), undefined, dir);
    const dry = await readOrCreateClusterState(inv, { persist: false });
    assert.match(dry.state.tokenPrivateKey.reveal(), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.match(
      dry.notes.join("\n"),
      /lacks secretkey, token_private_key\.pem, token_root\.crt: the dry run shows freshly generated ones and keeps none/,
    );
    assert.equal(existsSync(join(dir, ".harbor-ha")), false, "a dry run created the state folder");
    // With a state folder: read as it is, nothing added (no lock folder, no copy left).
    const real = (await readOrCreateClusterState(inv)).state;
    const stateDir = clusterStateDir(inv);
    const before = readdirSync(stateDir).sort();
    const again = (await readOrCreateClusterState(inv, { persist: false })).state;
    assert.equal(again.secretkey.reveal(), real.secretkey.reveal());
    assert.equal(again.tokenPrivateKey.reveal(), real.tokenPrivateKey.reveal());
    assert.deepEqual(readdirSync(stateDir).sort(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The token signing key in the form Harbor 1.x reads: PKCS#8 keys from earlier harbor-ha
 * versions converted in place (the same key), keys Harbor cannot use reported by validate
 * and refused by render/provision.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import { checkClusterStateFiles, clusterStateDir, readOrCreateClusterState } from "../../../src/secrets/cluster-state.js";
import { checkTokenKeyPair, pemLabel } from "../../../src/secrets/token-key.js";
import { buildTestInventory, FIXTURE_STATE_DIR, inventoryData } from "../../support/inventories.js";

const FIXTURE_KEY = readFileSync(join(FIXTURE_STATE_DIR, "token_private_key.pem"), "utf8");
const FIXTURE_CERT = readFileSync(join(FIXTURE_STATE_DIR, "token_root.crt"), "utf8");
const pkcs8 = (pem: string) => execFileSync("openssl", ["pkcs8", "-topk8", "-nocrypt"], { input: pem, encoding: "utf8" });
const publicPem = (pem: string) => createPublicKey(pem).export({ type: "spki", format: "pem" }).toString();

/** An inventory in a temp folder whose state folder holds the given files. */
function stateWith(files: Record<string, string>): { inv: ReturnType<typeof buildTestInventory>; dir: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), "hha-token-"));
  const inv = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" }), undefined, root);
  const dir = clusterStateDir(inv);
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "secretkey"), "0123456789abcdef", { mode: 0o600 });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
  return { inv, dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

test("the fixture state is PKCS#1, as Harbor reads it", () => {
  assert.equal(pemLabel(FIXTURE_KEY), "RSA PRIVATE KEY");
  assert.deepEqual(checkTokenKeyPair(FIXTURE_KEY, FIXTURE_CERT, "/s/k", "/s/c"), []);
});

test("a PKCS#8 key left by an earlier harbor-ha is converted in place: same key, a note, once", async () => {
  const old = pkcs8(FIXTURE_KEY);
  assert.equal(pemLabel(old), "PRIVATE KEY");
  const s = stateWith({ "token_private_key.pem": old, "token_root.crt": FIXTURE_CERT });
  try {
    const keyPath = join(s.dir, "token_private_key.pem");
    assert.match(
      (await checkClusterStateFiles(s.dir))[0]?.message ?? "",
      /is "PRIVATE KEY" \(PKCS#8\).*converts it in place.*openssl rsa -in \S+token_private_key\.pem -traditional -out \S+token_private_key\.pem/,
    );
    const first = await readOrCreateClusterState(s.inv);
    assert.equal(first.notes.length, 1);
    assert.match(first.notes[0] ?? "", /converted the token signing key .*token_private_key\.pem from PKCS#8/);
    const converted = readFileSync(keyPath, "utf8");
    assert.equal(pemLabel(converted), "RSA PRIVATE KEY");
    assert.equal(publicPem(converted), publicPem(FIXTURE_KEY), "the same key");
    assert.equal(first.state.tokenPrivateKey.reveal(), converted);
    assert.equal(readFileSync(join(s.dir, "token_root.crt"), "utf8"), FIXTURE_CERT, "the certificate is untouched");
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.deepEqual(await checkClusterStateFiles(s.dir), []);
    assert.deepEqual((await readOrCreateClusterState(s.inv)).notes, [], "nothing to convert the second time");
  } finally {
    s.remove();
  }
});

test("a key that does not match token_root.crt is reported by validate and refused by render/provision", async () => {
  const other = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const s = stateWith({ "token_private_key.pem": other, "token_root.crt": FIXTURE_CERT });
  try {
    const problems = await checkClusterStateFiles(s.dir);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.severity, "error");
    assert.match(problems[0]?.message ?? "", /token_private_key\.pem does not belong to \S+token_root\.crt .*restore the matching pair/);
    await assert.rejects(readOrCreateClusterState(s.inv), (e: Error) => e instanceof HarborHaError && /does not belong to/.test(e.message));
  } finally {
    s.remove();
  }
});

test("keys Harbor 1.x cannot read: encrypted, not RSA/EC, not a key; EC in SEC 1 is fine", () => {
  const ed = generateKeyPairSync("ed25519", {
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const encrypted = execFileSync("openssl", ["pkcs8", "-topk8", "-passout", "pass:x", "-v2", "aes-256-cbc"], {
    input: FIXTURE_KEY,
    encoding: "utf8",
  });
  const check = (pem: string) =>
    checkTokenKeyPair(pem, FIXTURE_CERT, "/s/token_private_key.pem", "/s/token_root.crt").map((p) => `${p.severity}: ${p.message}`);
  assert.match(check(encrypted)[0] ?? "", /^error: \/s\/token_private_key\.pem is encrypted; .*RSA PRIVATE KEY/);
  assert.match(check(ed)[0] ?? "", /^error: \/s\/token_private_key\.pem is a ed25519 key; Harbor 1\.x signs tokens only with RSA or EC keys/);
  assert.match(check("garbage")[0] ?? "", /^error: .* holds no readable PEM private key/);
  const ec = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    privateKeyEncoding: { type: "sec1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  // The right form, but not the certificate's key: only the mismatch is reported.
  assert.deepEqual(
    check(ec).map((p) => p.split(":")[0]),
    ["error"],
  );
  assert.match(check(ec)[0] ?? "", /does not belong to/);
});

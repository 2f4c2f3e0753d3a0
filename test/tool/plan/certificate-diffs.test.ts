/**
 * Plans show certificates and keys as what they are: subject, names, issuer, expiry and
 * fingerprint (old → new) instead of base64, and a private key by its type and its public
 * half's fingerprint, never its content. The expected fingerprints come from the openssl CLI.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DesiredFile } from "../../../src/desired/types.js";
import { Redactor } from "../../../src/inventory/secret.js";
import { renderFileDiff } from "../../../src/steps/diff.js";
import { writeTestTlsFiles } from "../../support/tls-fixtures.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hha-cert-diff-"));
  writeTestTlsFiles(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tls = (name: string) => readFileSync(join(dir, "tls", name), "utf8");
const file = (path: string, content: string, sensitive = false): DesiredFile => ({
  path,
  content,
  mode: 0o644,
  owner: "root",
  group: "root",
  sensitive,
  onChange: [],
  description: "test",
});
/** openssl's own SHA-256 fingerprint of a certificate file, AB:CD:… */
const opensslFingerprint = (name: string) =>
  execFileSync("openssl", ["x509", "-in", join(dir, "tls", name), "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" })
    .trim()
    .split("=")[1];

describe("certificates in plans", () => {
  it("a renewed certificate: fields that stay are shown once, the expiry and fingerprint old → new, no base64", () => {
    const diff = renderFileDiff(file("/data/cert/server.crt", tls("good.crt")), { present: true, content: tls("expired.crt") }, new Redactor());
    assert.ok(diff);
    assert.match(diff, /^ {2}subject {4}CN=registry\.test$/m);
    assert.match(diff, /^ {2}names {6}DNS:registry\.test, IP Address:10\.20\.0\.100$/m);
    assert.match(diff, /^ {2}issuer {5}CN=Test ca$/m);
    assert.match(diff, /^ {2}not after {2}2021-01-01 → 2099-12-31$/m);
    assert.ok(diff.includes(`SHA-256    ${opensslFingerprint("expired.crt")} → ${opensslFingerprint("good.crt")}`), diff);
    assert.doesNotMatch(diff, /BEGIN CERTIFICATE|^[+-][A-Za-z0-9+/=]{40,}$/m);
  });

  it("a new certificate names what it will be; a changed issuer and names show both sides", () => {
    const fresh = renderFileDiff(file("/data/cert/server.crt", tls("foreign.crt")), { present: false }, new Redactor());
    assert.match(fresh ?? "", /^ {2}issuer {5}CN=Test other-ca$/m);
    const moved = renderFileDiff(file("/data/cert/server.crt", tls("wrong-host.crt")), { present: true, content: tls("good.crt") }, new Redactor());
    assert.match(moved ?? "", /names {6}DNS:registry\.test, IP Address:10\.20\.0\.100 → DNS:other\.test/);
  });

  it("a private key is its type and its public key's fingerprint, never its content", () => {
    const key = tls("good.key");
    const diff = renderFileDiff(file("/data/cert/server.key", key, true), { present: true }, new Redactor());
    const spki = execFileSync("openssl", ["pkey", "-in", join(dir, "tls", "good.key"), "-pubout", "-outform", "DER"]);
    const expected = execFileSync("openssl", ["dgst", "-sha256", "-c"], { input: spki, encoding: "utf8" }).trim().split("= ")[1]?.toUpperCase();
    assert.equal(diff, `private key (content not shown): EC prime256v1, public key SHA-256 ${expected}`);
    const body = key.split("\n").filter((l) => !l.startsWith("-----") && l.length > 8);
    for (const line of body) assert.ok(!diff.includes(line));
  });

  it("other sensitive files show nothing, and a file that is not only certificates keeps its text diff", () => {
    assert.equal(renderFileDiff(file("/data/secretkey", "0123456789abcdef", true), { present: true }, new Redactor()), undefined);
    const mixed = renderFileDiff(file("/etc/x.conf", `ca = yes\n${tls("ca.crt")}`), { present: true, content: "ca = no\n" }, new Redactor());
    assert.match(mixed ?? "", /^\+ca = yes$/m);
  });
});

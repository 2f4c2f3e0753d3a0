import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
} from "../../../src/remote/known-hosts.js";

interface Key {
  type: string;
  base64: string;
  pubPath: string;
}

describe("known_hosts", () => {
  let dir = "";
  let a: Key;
  let b: Key;
  let rsa: Key;

  function keygen(name: string, type: string): Key {
    const path = join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", path]);
    const [t = "", base64 = ""] = readFileSync(`${path}.pub`, "utf8").trim().split(/\s+/);
    return { type: t, base64, pubPath: `${path}.pub` };
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "harbor-ha-kh-"));
    a = keygen("a", "ed25519");
    b = keygen("b", "ed25519");
    rsa = keygen("r", "rsa");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("matches plain names, [host]:port and comma lists; skips comments and blank lines", () => {
    const entries = parseKnownHosts(
      ["# a comment", "", `lb1,10.0.0.11 ${a.type} ${a.base64}`, `[10.0.0.12]:2222 ${a.type} ${a.base64} comment here`].join("\n"),
    );
    assert.equal(entries.length, 2);
    assert.equal(checkHostKey(entries, "10.0.0.11", 22, a.type, a.base64), "match");
    assert.equal(checkHostKey(entries, "LB1", 22, a.type, a.base64), "match");
    assert.equal(checkHostKey(entries, "10.0.0.12", 2222, a.type, a.base64), "match");
    // the same address on another port is another host for ssh
    assert.equal(checkHostKey(entries, "10.0.0.12", 22, a.type, a.base64), "unknown");
    assert.equal(checkHostKey(entries, "10.0.0.11", 2222, a.type, a.base64), "unknown");
  });

  it("reports any other key of a known host as a mismatch, of the same type or not (as OpenSSH does)", () => {
    const entries = parseKnownHosts(`10.0.0.11 ${a.type} ${a.base64}\n`);
    assert.equal(checkHostKey(entries, "10.0.0.11", 22, b.type, b.base64), "mismatch");
    assert.equal(checkHostKey(entries, "10.0.0.11", 22, rsa.type, rsa.base64), "mismatch");
    assert.equal(checkHostKey(entries, "10.0.0.12", 22, rsa.type, rsa.base64), "unknown");
    assert.deepEqual(knownKeyTypes(entries, "10.0.0.11", 22), ["ssh-ed25519"]);
  });

  it("matches names hashed by ssh-keygen -H, with and without a port", () => {
    const file = join(dir, "known_hosts_hashed");
    writeFileSync(file, `10.0.0.21 ${a.type} ${a.base64}\n[10.0.0.22]:2200 ${b.type} ${b.base64}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file]);
    const text = readFileSync(file, "utf8");
    assert.ok(!text.includes("10.0.0.2"), "ssh-keygen -H hid the names");
    const entries = parseKnownHosts(text);
    assert.equal(checkHostKey(entries, "10.0.0.21", 22, a.type, a.base64), "match");
    assert.equal(checkHostKey(entries, "10.0.0.22", 2200, b.type, b.base64), "match");
    assert.equal(checkHostKey(entries, "10.0.0.21", 22, b.type, b.base64), "mismatch");
    assert.equal(checkHostKey(entries, "10.0.0.23", 22, a.type, a.base64), "unknown");
  });

  it("refuses a @revoked key wherever it appears, and ignores @cert-authority lines", () => {
    const entries = parseKnownHosts(
      `@revoked * ${a.type} ${a.base64}\n10.0.0.11 ${a.type} ${a.base64}\n@cert-authority * ${rsa.type} ${rsa.base64}\n`,
    );
    assert.equal(checkHostKey(entries, "10.0.0.11", 22, a.type, a.base64), "revoked");
    // Only the @cert-authority line names 10.0.0.12: it stays unknown.
    assert.equal(checkHostKey(entries, "10.0.0.12", 22, rsa.type, rsa.base64), "unknown");
  });

  it("honours wildcards and negations", () => {
    const entries = parseKnownHosts(`10.0.0.*,!10.0.0.13 ${a.type} ${a.base64}\n`);
    assert.equal(checkHostKey(entries, "10.0.0.11", 22, a.type, a.base64), "match");
    assert.equal(checkHostKey(entries, "10.0.0.13", 22, a.type, a.base64), "unknown");
  });

  it("writes lines that ssh-keygen -F finds, and that parse back to a match", () => {
    const file = join(dir, "known_hosts_tofu");
    writeFileSync(file, `${formatKnownHostsLine("10.0.0.31", 22, a.type, a.base64)}\n${formatKnownHostsLine("10.0.0.32", 2222, b.type, b.base64)}\n`);
    assert.match(execFileSync("ssh-keygen", ["-F", "10.0.0.31", "-f", file], { encoding: "utf8" }), /ssh-ed25519/);
    assert.match(execFileSync("ssh-keygen", ["-F", "[10.0.0.32]:2222", "-f", file], { encoding: "utf8" }), /ssh-ed25519/);
    const entries = parseKnownHosts(readFileSync(file, "utf8"));
    assert.equal(checkHostKey(entries, "10.0.0.32", 2222, b.type, b.base64), "match");
  });

  it("prints the SHA256 fingerprint exactly as ssh-keygen -l does, and reads the type from the blob", () => {
    for (const key of [a, rsa]) {
      const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", key.pubPath], { encoding: "utf8" }).split(" ")[1];
      assert.equal(fingerprintSha256(key.base64), printed);
      assert.equal(keyTypeOfBlob(Buffer.from(key.base64, "base64")), key.type);
    }
  });
});

/**
 * Deciding on a presented host key as OpenSSH does, against a real known_hosts file: a host
 * that known_hosts pins with one key type and that offers another is a changed key, even with
 * --accept-new-host-keys; trust on first use reports the fingerprint it accepted.
 */
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { describeAcceptedHostKey, verifyHostKey } from "../../../src/remote/host-keys.js";
import type { HostKeyCheck } from "../../../src/remote/host-keys.js";
import { HostKeyError } from "../../../src/remote/errors.js";

interface Key {
  type: string;
  blob: Buffer;
  pubPath: string;
}

describe("host keys", () => {
  let dir = "";
  let ed: Key;
  let rsa: Key;

  function keygen(name: string, type: string): Key {
    const path = join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", path]);
    const [t = "", base64 = ""] = readFileSync(`${path}.pub`, "utf8").trim().split(/\s+/);
    return { type: t, blob: Buffer.from(base64, "base64"), pubPath: `${path}.pub` };
  }

  const check = (knownHostsPath: string): HostKeyCheck => ({
    hostName: "lb1",
    address: "10.0.0.11",
    port: 22,
    knownHostsPath,
    acceptNewHostKeys: true,
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "harbor-ha-hk-"));
    ed = keygen("ed", "ed25519");
    rsa = keygen("rsa", "rsa");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses an ed25519 key from a host known_hosts pins only by its RSA key, even with --accept-new-host-keys", async () => {
    const file = join(dir, "known_hosts_rsa");
    const pinned = `10.0.0.11 ${rsa.type} ${rsa.blob.toString("base64")}\n`;
    writeFileSync(file, pinned);
    await assert.rejects(verifyHostKey(check(file), ed.blob), (e: unknown) => {
      assert.ok(e instanceof HostKeyError);
      assert.equal(e.problem, "changed");
      assert.match(e.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      assert.match(e.message, /offered a ssh-ed25519 key, but .* holds only ssh-rsa for it/);
      return true;
    });
    assert.equal(readFileSync(file, "utf8"), pinned, "known_hosts is left as it was");
  });

  it("trusts a host known_hosts does not name on first use, and reports the fingerprint ssh-keygen -lf prints", async () => {
    const file = join(dir, "known_hosts_tofu");
    writeFileSync(file, `10.0.0.99 ${rsa.type} ${rsa.blob.toString("base64")}\n`);
    const accepted = await verifyHostKey(check(file), ed.blob);
    const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", ed.pubPath], { encoding: "utf8" }).split(" ")[1] ?? "";
    assert.ok(accepted);
    assert.equal(accepted.fingerprint, printed);
    assert.equal(describeAcceptedHostKey(accepted), `lb1 (10.0.0.11:22): trusted on first use, ssh-ed25519 key ${printed} added to ${file}`);
    assert.match(readFileSync(file, "utf8"), /^10\.0\.0\.11 ssh-ed25519 /m);
    assert.equal(await verifyHostKey(check(file), ed.blob), undefined, "known now: nothing more to report");
  });

  it("in a dry run trusts a new host for that run only: known_hosts is not written", async () => {
    const file = join(dir, "known_hosts_dry");
    const before = `10.0.0.99 ${rsa.type} ${rsa.blob.toString("base64")}\n`;
    writeFileSync(file, before);
    const accepted = await verifyHostKey({ ...check(file), recordNewHostKeys: false }, ed.blob);
    assert.ok(accepted);
    assert.equal(accepted.recorded, false);
    assert.match(describeAcceptedHostKey(accepted), /trusted on first use, ssh-ed25519 key SHA256:\S+ for this dry run only \(not added to /);
    assert.equal(readFileSync(file, "utf8"), before, "a dry run wrote known_hosts");
  });
  it("reads the system-wide known_hosts too: a key pinned there is trusted, one that differs from it is refused, the user's file is untouched", async () => {
    const user = join(dir, "known_hosts_user");
    const global = join(dir, "ssh_known_hosts");
    writeFileSync(user, "");
    writeFileSync(global, `10.0.0.11 ${ed.type} ${ed.blob.toString("base64")}\n`);
    const both = { ...check(user), otherKnownHostsPaths: [join(dir, "absent"), global] };
    assert.equal(await verifyHostKey(both, ed.blob), undefined, "known from the system-wide file");
    await assert.rejects(verifyHostKey(both, rsa.blob), (e: unknown) => e instanceof HostKeyError && e.problem === "changed");
    assert.equal(readFileSync(user, "utf8"), "", "nothing appended for a host the system-wide file knows");
  });
});

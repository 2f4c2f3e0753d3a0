/**
 * Host keys as OpenSSH checks them, against a real sshd of this test's own that presents a host
 * certificate signed by a test CA (ssh-keygen -s): known_hosts holding only `@cert-authority`
 * for the CA is enough to connect, without trust on first use; another CA, or the CA marked
 * `@revoked`, is not.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HostKeyError } from "../../src/remote/errors.js";
import { SshSession } from "../../src/remote/session.js";
import type { SshTarget } from "../../src/remote/target.js";
import { cmd } from "../../src/shell/command.js";
import { generateKey, startSshd } from "./helpers/sshd.js";
import type { TestSshd } from "./helpers/sshd.js";

describe("host certificates against a real sshd", () => {
  let sshd: TestSshd;
  let work = "";
  let caLine = "";
  let otherCaLine = "";

  const target = (knownHostsPath: string): SshTarget => ({
    hostName: "node1",
    address: "127.0.0.1",
    port: sshd.port,
    user: "root",
    privateKeyPath: sshd.clientKeyPath,
    identitiesOnly: true,
    knownHostsPath,
    sudo: false,
    connectTimeoutMs: 5000,
  });
  const knownHosts = async (name: string, text: string): Promise<string> => {
    const path = join(work, name);
    await writeFile(path, text);
    return path;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "harbor-ha-host-cert-"));
    const ca = await generateKey(join(work, "ca"));
    const other = await generateKey(join(work, "other-ca"));
    caLine = `${ca.type} ${ca.base64}`;
    otherCaLine = `${other.type} ${other.base64}`;
    sshd = await startSshd({ hostCertificateCa: join(work, "ca") });
  });
  after(async () => {
    await sshd?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("connects to a host whose certificate a @cert-authority line vouches for, adding nothing to known_hosts", async () => {
    const text = `@cert-authority [127.0.0.1]:* ${caLine}\n`;
    const path = await knownHosts("known_hosts_ca", text);
    const s = await SshSession.connect(target(path), { acceptNewHostKeys: false });
    try {
      assert.equal((await s.runChecked(cmd("echo", "trusted by its certificate"), { step: "echo" })).stdout, "trusted by its certificate\n");
    } finally {
      s.close();
    }
    assert.equal(await readFile(path, "utf8"), text);
  });

  it("refuses the host when known_hosts lists another CA, saying why", async () => {
    const path = await knownHosts("known_hosts_other", `@cert-authority * ${otherCaLine}\n`);
    await assert.rejects(
      SshSession.connect(target(path)),
      (e: unknown) => e instanceof HostKeyError && e.problem === "unknown" && /signed by no CA that known_hosts lists/.test(e.message),
    );
  });

  it("refuses the host when its CA is @revoked", async () => {
    const path = await knownHosts("known_hosts_revoked", `@cert-authority * ${caLine}\n@revoked * ${caLine}\n`);
    await assert.rejects(SshSession.connect(target(path)), (e: unknown) => e instanceof HostKeyError && e.problem === "unknown");
  });
});

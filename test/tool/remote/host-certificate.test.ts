/**
 * Host certificates judged as `ssh` judges them against known_hosts' `@cert-authority` lines,
 * on certificates ssh-keygen -s signs here.
 */
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HostKeyError } from "../../../src/remote/errors.js";
import { judgeHostCertificates } from "../../../src/remote/host-certificate.js";
import { verifyHostKey } from "../../../src/remote/host-keys.js";
import { certificateAuthoritiesFor, parseKnownHosts } from "../../../src/remote/known-hosts.js";

describe("host certificates", () => {
  let dir = "";
  let hostBlob: Buffer;
  let caLine = "";
  let otherCaLine = "";

  const keygen = (name: string): string => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, name)]);
    return readFileSync(join(dir, `${name}.pub`), "utf8")
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(" ");
  };
  /** Signs the host key with `ca`; returns the certificate line (`type base64`). */
  const sign = (ca: string, args: string[]): string => {
    execFileSync("ssh-keygen", ["-q", "-s", join(dir, ca), "-I", "test", ...args, join(dir, "host.pub")]);
    return readFileSync(join(dir, "host-cert.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  };
  const entries = (text: string) => parseKnownHosts(text);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "harbor-ha-cert-"));
    caLine = keygen("ca");
    otherCaLine = keygen("other-ca");
    const host = keygen("host");
    hostBlob = Buffer.from(host.split(" ")[1] ?? "", "base64");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const judge = (cert: string, knownHosts: string, name = "10.0.0.11", blob = hostBlob) => {
    const e = entries(knownHosts);
    return judgeHostCertificates(
      [cert],
      blob,
      name,
      certificateAuthoritiesFor(e, name, 22),
      e.filter((x) => x.revoked),
    );
  };

  it("trusts a host certificate signed by a CA listed for the host, naming the host, valid now", () => {
    const cert = sign("ca", ["-h", "-n", "10.0.0.11,lb1", "-V", "-5m:+1d"]);
    const v = judge(cert, `@cert-authority 10.0.0.* ${caLine}\n`);
    assert.equal(v.trusted, true);
  });

  it("refuses each way OpenSSH refuses: another CA, another host, expired, a user certificate, another key, a CA listed for other hosts", () => {
    const ca = `@cert-authority * ${caLine}\n`;
    const why = (cert: string, kh = ca, name?: string, blob?: Buffer) => {
      const v = judge(cert, kh, name, blob);
      assert.equal(v.trusted, false);
      return v.trusted ? "" : v.why;
    };
    assert.match(why(sign("other-ca", ["-h", "-n", "10.0.0.11"])), /signed by no CA that known_hosts lists/);
    assert.match(why(sign("ca", ["-h", "-n", "10.0.0.12"])), /a certificate for 10\.0\.0\.12, not for 10\.0\.0\.11/);
    assert.match(why(sign("ca", ["-h", "-n", "10.0.0.11", "-V", "-2d:-1d"])), /valid only from/);
    assert.match(why(sign("ca", ["-n", "10.0.0.11"])), /a user certificate/);
    assert.match(why(sign("ca", ["-h", "-n", "10.0.0.11"]), ca, "10.0.0.11", Buffer.from(otherCaLine.split(" ")[1] ?? "", "base64")), /another key/);
    assert.match(why(sign("ca", ["-h", "-n", "10.0.0.11"]), `@cert-authority 192.168.* ${caLine}\n`), /signed by no CA/);
  });

  it("@revoked: a revoked CA vouches for nothing, a revoked host key is refused even with a good certificate", () => {
    const cert = sign("ca", ["-h", "-n", "10.0.0.11"]);
    assert.equal(judge(cert, `@cert-authority * ${caLine}\n@revoked * ${caLine}\n`).trusted, false);
    const hostLine = `ssh-ed25519 ${hostBlob.toString("base64")}`;
    assert.equal(judge(cert, `@cert-authority * ${caLine}\n@revoked * ${hostLine}\n`).trusted, false);
  });

  it("verifyHostKey: a host with a good certificate is known without trust on first use; a bad one is refused, saying why", async () => {
    const knownHosts = join(dir, "known_hosts");
    writeFileSync(knownHosts, `@cert-authority * ${caLine}\n`);
    const good = sign("ca", ["-h", "-n", "10.0.0.11"]);
    const check = { hostName: "lb1", address: "10.0.0.11", port: 22, knownHostsPath: knownHosts, acceptNewHostKeys: false };
    assert.equal(await verifyHostKey({ ...check, fetchCertificates: async () => [good] }, hostBlob), undefined);
    const bad = sign("other-ca", ["-h", "-n", "10.0.0.11"]);
    await assert.rejects(
      verifyHostKey({ ...check, fetchCertificates: async () => [bad] }, hostBlob),
      (e: unknown) =>
        e instanceof HostKeyError &&
        e.problem === "unknown" &&
        /certificate authority for it, but the host offered a certificate signed by no CA/.test(e.message),
    );
    await assert.rejects(
      verifyHostKey(check, hostBlob),
      (e: unknown) => e instanceof HostKeyError && e.problem === "unknown",
      "no certificate asked for: unknown",
    );
    assert.equal(readFileSync(knownHosts, "utf8"), `@cert-authority * ${caLine}\n`, "nothing appended");
  });
});

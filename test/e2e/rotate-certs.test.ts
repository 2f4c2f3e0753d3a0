/**
 * rotate-certs against the lab (2 load balancers, 3 Harbor nodes, https): a new certificate
 * signed by the lab CA rolls node by node behind the drain; afterwards every node serves it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";
import { mostOutAtOnce, watchNodeHealth } from "./helpers/watch.js";
import { newCertificate, servedFingerprint } from "./helpers/tls.js";

describe("rotate-certs (https lab: 2 load balancers, 3 Harbor nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 3, protocol: "https" });
  });
  after(async () => {
    await labDown();
  });

  it("rolls a new certificate node by node; every node then serves it", async () => {
    const nodes = lab.hosts.filter((h) => h.role === "harbor-node");
    const old = await servedFingerprint(lab, "harbor1");
    const cert = newCertificate(lab, "tls-rotated");
    const expected = new X509Certificate(cert.pem).fingerprint256.toUpperCase();
    assert.notEqual(expected, old);
    const text = readFileSync(lab.inventoryPath, "utf8");
    const rotated = text
      .replace(join(lab.dir, "tls", "server.crt"), join(cert.dir, "server.crt"))
      .replace(join(lab.dir, "tls", "server.key"), join(cert.dir, "server.key"));
    assert.notEqual(rotated, text);
    const inv = join(lab.dir, "inventory-rotated.yaml");
    writeFileSync(inv, rotated);

    const dry = await runCli(["rotate-certs", inv, "--dry-run"]);
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /write \/data\/cert\/server\.crt/);
    assert.doesNotMatch(dry.stdout, /harbor\.cfg/);

    const watch = watchNodeHealth(
      lab,
      "lb1",
      nodes.map((n) => n.address),
    );
    const r = await runCli(["rotate-certs", inv]);
    const rounds = await watch.stop();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(mostOutAtOnce(rounds), 1, "one node out of service at a time");
    for (const n of nodes) assert.equal(await servedFingerprint(lab, n.name), expected, `${n.name} serves the new certificate`);
    assert.doesNotMatch(r.stderr + r.stdout, /BEGIN (RSA )?PRIVATE KEY/);
    const again = await runCli(["rotate-certs", inv]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to change/);
  });

  it("rotates to a certificate of a new CA: the load balancers trust both CAs while nodes roll, then the new one", async () => {
    const nodes = lab.hosts.filter((h) => h.role === "harbor-node");
    const cert = newCertificate(lab, "tls-new-ca", true);
    const expected = new X509Certificate(cert.pem).fingerprint256.toUpperCase();
    const text = readFileSync(lab.inventoryPath, "utf8");
    const rotated = ["server.crt", "server.key", "ca.crt"].reduce((t, f) => t.replace(join(lab.dir, "tls", f), join(cert.dir, f)), text);
    const inv = join(lab.dir, "inventory-new-ca.yaml");
    writeFileSync(inv, rotated);
    const watch = watchNodeHealth(
      lab,
      "lb1",
      nodes.map((n) => n.address),
    );
    const r = await runCli(["rotate-certs", inv]);
    const rounds = await watch.stop();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(mostOutAtOnce(rounds), 1, "one node out of service at a time");
    for (const n of nodes) assert.equal(await servedFingerprint(lab, n.name), expected, `${n.name} serves the new certificate`);
    const newCa = readFileSync(join(cert.dir, "ca.crt"), "utf8");
    for (const lb of ["lb1", "lb2"])
      assert.equal((await lab.sshRun(lb, "cat /etc/keepalived/harbor-ca.crt")).stdout, newCa, `${lb} trusts the new CA only at the end`);
  });
});

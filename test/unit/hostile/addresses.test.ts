/**
 * The VIP is a host address of its own (inventory/address-checks.ts), and every local file the
 * inventory names is read only when it is a regular file of a sane size (inventory/bounded-read.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalFileError, readBoundedText, readBoundedTextSync } from "../../../src/inventory/bounded-read.js";
import { readKnownHosts } from "../../../src/remote/host-keys.js";
import { describeErrors, describeRefused, loadPatched } from "./patched.js";
import type { RefusedCase } from "./patched.js";

const VIP = ["cluster", "vip"] as const;

const REFUSED: RefusedCase[] = [
  { name: "a /0 VIP", base: "v1", patch: [[VIP, "10.20.0.100/0"]], path: "cluster.vip" },
  { name: "a /4 VIP", base: "v2", patch: [[VIP, "10.20.0.100/4"]], path: "cluster.vip" },
  { name: "the network address", base: "v1", patch: [[VIP, "10.20.0.0/24"]], path: "cluster.vip" },
  { name: "the broadcast address", base: "v1", patch: [[VIP, "10.20.0.255/24"]], path: "cluster.vip" },
  { name: "the broadcast address (2.x)", base: "v2", patch: [[VIP, "10.20.0.127/25"]], path: "cluster.vip" },
  { name: "the database's address", base: "v1", patch: [[VIP, "10.20.0.31/24"]], path: "cluster.vip" },
  { name: "the database's address (2.x)", base: "v2", patch: [[["database", "host"], "10.20.0.100"]], path: "cluster.vip" },
  { name: "Redis's address", base: "v1", patch: [[["redis", "host"], "10.20.0.100"]], path: "cluster.vip" },
  { name: "Clair's database address", base: "v1", patch: [[["clair_db", "host"], "10.20.0.100"]], path: "cluster.vip" },
  { name: "the NFS server's address", base: "v1", patch: [[["storage", "server"], "10.20.0.100"]], path: "cluster.vip" },
  { name: "a secret file that is a device", base: "v1", patch: [[["database", "password"], "${file:/dev/zero}"]], path: "database.password" },
  { name: "a certificate that is a device", base: "v1", patch: [[["tls", "certificate"], "/dev/zero"]], path: "tls.certificate" },
];

describeRefused("validate refuses a VIP that is no address of its own, and local files that are not files", REFUSED, (world) => {
  it("host addresses of a /24 and a /25 validate", () => {
    for (const vip of ["10.20.0.1/24", "10.20.0.254/24", "10.20.0.100/25"])
      assert.equal(describeErrors(loadPatched(world(), "v1", [[VIP, vip]])), "(no errors)", vip);
  });
});

describe("bounded reads", () => {
  it("known_hosts: /dev/zero is refused at once, not read until memory runs out", async () => {
    await assert.rejects(readKnownHosts("/dev/zero"), (e: unknown) => e instanceof LocalFileError && /not a regular file/.test(e.message));
    assert.throws(() => readBoundedTextSync("/dev/zero", 1024), LocalFileError);
  });

  it("a file over its limit is refused; one at its limit is read whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hha-bounded-"));
    try {
      writeFileSync(join(dir, "big"), "x".repeat(2049));
      writeFileSync(join(dir, "fits"), "y".repeat(2048));
      await assert.rejects(readBoundedText(join(dir, "big"), 2048), /larger than 2 KiB/);
      assert.equal((await readBoundedText(join(dir, "fits"), 2048)).length, 2048);
      assert.equal(readBoundedTextSync(join(dir, "fits"), 2048).length, 2048);
      await assert.rejects(readBoundedText(join(dir, "missing"), 2048), { code: "ENOENT" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

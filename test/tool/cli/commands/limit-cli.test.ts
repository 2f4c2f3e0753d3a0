/**
 * `--limit` as an operator types it: a typo stops the run with exit 2 and the known names before
 * any connection. Every SSH connection of the run would go through a jump host that is a TCP
 * server of this test, which counts them; the same run with a right name does connect (so the
 * count can fail).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../../../src/paths.js";
import { runCli } from "../../../e2e/helpers/cli.js";

describe("--limit is checked before any connection", () => {
  let dir = "";
  let inventory = "";
  let server: Server;
  let connections = 0;

  before(async () => {
    server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), "hha-limit-"));
    cpSync(join(projectRoot(), "inventory"), dir, { recursive: true, filter: (src) => !src.includes(".harbor-ha") });
    inventory = join(dir, "example.yaml");
    // A bundle to hash, and every host behind the counting "jump host", reached with the (absent) agent.
    writeFileSync(join(dir, "example", "harbor-offline-installer-v1.4.0.tgz"), "not a real bundle\n");
    const text = readFileSync(inventory, "utf8")
      .replace(/^  private_key: .*\n/m, "")
      .replace(/^  connect_timeout_s: 10\n/m, `  connect_timeout_s: 10\n  jump_host: { address: 127.0.0.1, port: ${port} }\n`);
    writeFileSync(inventory, text);
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const env = { SSH_AUTH_SOCK: "/nonexistent/agent.sock", HOME: tmpdir() };

  const dryRun = (command: string): string[] => (command === "status" || command === "failover-drill" ? [] : ["--dry-run"]);
  for (const command of ["reconfigure", "rotate-certs", "provision", "status", "failover-drill"]) {
    it(`${command} --limit harbor9 exits 2 with the known names and connects to nothing`, async () => {
      const before = connections;
      const r = await runCli([command, inventory, "--limit", "harbor9", ...dryRun(command)], { env, timeoutMs: 60_000 });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--limit "harbor9" matches no host of the inventory; nothing was done/);
      assert.match(r.stderr, /Known hosts: lb1, lb2, harbor1, harbor2, harbor3/);
      assert.equal(connections - before, 0, "no connection was opened");
    });
  }

  it("failover-drill --limit naming no load balancer exits 2 and connects to nothing", async () => {
    const before = connections;
    const r = await runCli(["failover-drill", inventory, "--limit", "harbor*"], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--limit harbor\* names no load balancer/);
    assert.equal(connections - before, 0, "no connection was opened");
  });

  it("provision --limit with the database re-initialisation exits 2 and connects to nothing", async () => {
    const before = connections;
    const r = await runCli(["provision", inventory, "--limit", "harbor1", "--reinitialize-database-destroying-all-data", "registry-prod"], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /and --limit together: the database is the whole cluster's/);
    assert.equal(connections - before, 0, "no connection was opened");
  });

  it("the same run with a glob that matches does connect (the count above can fail)", async () => {
    const before = connections;
    const r = await runCli(["reconfigure", inventory, "--limit", "harbor*", "--dry-run"], { env, timeoutMs: 120_000 });
    assert.notEqual(r.code, 0);
    assert.ok(connections - before > 0, `no connection was made: ${r.stderr}`);
  });
});

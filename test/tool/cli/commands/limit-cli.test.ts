/**
 * `--limit` as an operator types it: a typo stops the run with exit 2 and the known names before
 * any connection. Every SSH connection of the run would go through a jump host that is a TCP
 * server of this test, which counts them; the same run with a right name does connect (so the
 * count can fail).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../../../e2e/helpers/cli.js";
import { UNREACHABLE_ENV, unreachableExample } from "../../../support/unreachable-example.js";
import type { UnreachableExample } from "../../../support/unreachable-example.js";

describe("--limit is checked before any connection", () => {
  let world: UnreachableExample;
  let inventory = "";
  const connections = () => world.connections();

  before(async () => {
    world = await unreachableExample("hha-limit-");
    inventory = world.inventory;
  });
  after(() => world.close());

  const env = UNREACHABLE_ENV;

  const dryRun = (command: string): string[] => (command === "status" || command === "failover-drill" ? [] : ["--dry-run"]);
  for (const command of ["reconfigure", "rotate-certs", "provision", "status", "failover-drill"]) {
    it(`${command} --limit harbor9 exits 2 with the known names and connects to nothing`, async () => {
      const before = connections();
      const r = await runCli([command, inventory, "--limit", "harbor9", ...dryRun(command)], { env, timeoutMs: 60_000 });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--limit "harbor9" matches no host of the inventory; nothing was done/);
      assert.match(r.stderr, /Known hosts: lb1, lb2, harbor1, harbor2, harbor3/);
      assert.equal(connections() - before, 0, "no connection was opened");
    });
  }

  it("failover-drill --limit naming no load balancer exits 2 and connects to nothing", async () => {
    const before = connections();
    const r = await runCli(["failover-drill", inventory, "--limit", "harbor*"], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--limit harbor\* names no load balancer/);
    assert.equal(connections() - before, 0, "no connection was opened");
  });

  it("provision --limit with the database re-initialisation exits 2 and connects to nothing", async () => {
    const before = connections();
    const r = await runCli(["provision", inventory, "--limit", "harbor1", "--reinitialize-database-destroying-all-data", "registry-prod"], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /and --limit together: the database is the whole cluster's/);
    assert.equal(connections() - before, 0, "no connection was opened");
  });

  it("the same run with a glob that matches does connect (the count above can fail)", async () => {
    const before = connections();
    const r = await runCli(["reconfigure", inventory, "--limit", "harbor*", "--dry-run"], { env, timeoutMs: 120_000 });
    assert.notEqual(r.code, 0);
    assert.ok(connections() - before > 0, `no connection was made: ${r.stderr}`);
  });
});

/**
 * SSH as OpenSSH users expect, against a real sshd of this test's own (127.0.0.1, random
 * port): a host reached by its ~/.ssh/config alias (HostName, Port, User, IdentityFile,
 * IdentitiesOnly, UserKnownHostsFile), a ProxyJump chain from the config, and the inventory's
 * per-host jump_host. sshd logs one "Accepted publickey" per connection: a chain of two jump
 * hosts is three connections.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Inventory } from "../../src/inventory/model.js";
import { HostKeyError } from "../../src/remote/errors.js";
import { SshSession } from "../../src/remote/session.js";
import { readSshConfig } from "../../src/remote/ssh-config.js";
import type { SshConfig } from "../../src/remote/ssh-config.js";
import { sshTargetFor } from "../../src/remote/target.js";
import { cmd } from "../../src/shell/command.js";
import { startSshd } from "./helpers/sshd.js";
import type { TestSshd } from "./helpers/sshd.js";

/** An inventory with one Harbor node at `address` (only what sshTargetFor reads). */
function inventoryWith(address: string, ssh: Record<string, unknown> = {}, hostSsh?: Record<string, unknown>): { inv: Inventory; host: never } {
  const host = { name: "harbor1", address, ...(hostSsh ? { ssh: hostSsh } : {}) };
  return {
    inv: { path: "/x/inv.yaml", dir: "/x", data: { ssh, load_balancers: [], harbor_nodes: [host] } } as unknown as Inventory,
    host: host as never,
  };
}

const accepted = (sshd: TestSshd): number => sshd.log().match(/Accepted publickey for root/g)?.length ?? 0;

describe("SSH through the operator's ssh config, against a real sshd", () => {
  let sshd: TestSshd;
  let work = "";
  let config: SshConfig;
  let knownHosts = "";

  before(async () => {
    sshd = await startSshd();
    work = await mkdtemp(join(tmpdir(), "harbor-ha-ssh-config-e2e-"));
    knownHosts = join(work, "known_hosts");
    await writeFile(knownHosts, sshd.knownHostsText());
    const path = join(work, "config");
    await writeFile(
      path,
      [
        "Host harbor-alias bastion-a bastion-b",
        "    HostName 127.0.0.1",
        `    Port ${sshd.port}`,
        "    User root",
        `    IdentityFile ${sshd.clientKeyPath}`,
        "    IdentitiesOnly yes",
        `    UserKnownHostsFile ${knownHosts}`,
        "",
        "Host harbor-chained",
        "    HostName 127.0.0.1",
        "    ProxyJump bastion-a,bastion-b",
        "",
        "Host *",
        `    Port ${sshd.port}`,
        "    User root",
        `    IdentityFile ${sshd.clientKeyPath}`,
        `    UserKnownHostsFile ${knownHosts}`,
        "",
      ].join("\n"),
    );
    const read = readSshConfig(path, { required: true });
    assert.ok(read);
    config = read;
  });
  after(async () => {
    await sshd?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function runOn(inv: Inventory, host: never): Promise<string> {
    const session = await SshSession.connect(sshTargetFor(inv, host, config));
    try {
      return (await session.runChecked(cmd("id", "-un"), { step: "whoami" })).stdout.trim();
    } finally {
      session.close();
    }
  }

  it("reaches a host by its alias alone: HostName, Port, User, IdentityFile and UserKnownHostsFile from the config", async () => {
    const before = accepted(sshd);
    const { inv, host } = inventoryWith("harbor-alias");
    assert.equal(await runOn(inv, host), "root");
    assert.equal(accepted(sshd) - before, 1, "one connection");
  });

  it("follows a ProxyJump chain of two hops, each hop looked up in the config", async () => {
    const before = accepted(sshd);
    const { inv, host } = inventoryWith("harbor-chained");
    assert.equal(await runOn(inv, host), "root");
    assert.equal(accepted(sshd) - before, 3, "bastion-a, bastion-b, then the host");
  });

  it("the inventory's per-host jump_host goes through the named host, over no jump at all in the defaults", async () => {
    const before = accepted(sshd);
    const { inv, host } = inventoryWith("harbor-alias", { jump_host: false }, { jump_host: { address: "bastion-a" } });
    assert.equal(await runOn(inv, host), "root");
    assert.equal(accepted(sshd) - before, 2, "the jump host, then the host");
  });

  it("checks the host key under the config's UserKnownHostsFile: an empty one makes the host unknown", async () => {
    const empty = join(work, "known_hosts_empty");
    await writeFile(empty, "");
    const { inv, host } = inventoryWith("harbor-alias", { known_hosts: empty });
    await assert.rejects(runOn(inv, host), (e: unknown) => e instanceof HostKeyError && e.problem === "unknown");
  });
});

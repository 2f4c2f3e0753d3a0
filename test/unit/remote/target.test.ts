import assert from "node:assert/strict";
import { homedir } from "node:os";
import { describe, it } from "node:test";
import type { Inventory } from "../../../src/inventory/model.js";
import { Secret } from "../../../src/inventory/secret.js";
import { sshTargetFor } from "../../../src/remote/target.js";

// Only the fields sshTargetFor reads; the rest of the inventory does not matter here.
function inventory(ssh: Record<string, unknown>, lbSsh?: Record<string, unknown>): { inv: Inventory; lb: never } {
  const lb = { name: "lb2", address: "10.20.0.12", interface: "eth0", ...(lbSsh ? { ssh: lbSsh } : {}) };
  const inv = { path: "/ops/inv.yaml", dir: "/ops", data: { ssh, load_balancers: [lb], harbor_nodes: [] } } as unknown as Inventory;
  return { inv, lb: lb as never };
}

describe("sshTargetFor", () => {
  it("fills ssh's own defaults: port 22, root without sudo, ~/.ssh/known_hosts and the system-wide files, 10 s, the agent", () => {
    const { inv, lb } = inventory({});
    assert.deepEqual(sshTargetFor(inv, lb), {
      hostName: "lb2",
      address: "10.20.0.12",
      port: 22,
      user: "root",
      knownHostsPath: `${homedir()}/.ssh/known_hosts`,
      otherKnownHostsPaths: ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"],
      sudo: false,
      connectTimeoutMs: 10_000,
    });
  });

  it("lets the host override the defaults, resolves paths and carries the jump host", () => {
    const pw = new Secret("pw-1234");
    const { inv, lb } = inventory(
      {
        user: "deploy",
        known_hosts: "state/known_hosts",
        sudo_password: pw,
        connect_timeout_s: 3,
        private_key: "/k/id",
        jump_host: { address: "bastion" },
      },
      { port: 2222 },
    );
    const t = sshTargetFor(inv, lb);
    assert.equal(t.port, 2222);
    assert.equal(t.user, "deploy");
    assert.equal(t.sudo, true, "a non-root user gets sudo unless told otherwise");
    assert.equal(t.sudoPassword, pw);
    assert.equal(t.knownHostsPath, "/ops/state/known_hosts");
    assert.equal(t.connectTimeoutMs, 3000);
    assert.equal(t.privateKeyPath, "/k/id");
    assert.deepEqual(t.jumps, [{ address: "bastion", port: 22, user: "deploy" }]);
  });
});

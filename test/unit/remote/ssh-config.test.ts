/** The ssh config read as `ssh` reads it, and the SSH target of an inventory host built over it. */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HarborHaError } from "../../../src/errors.js";
import type { Inventory } from "../../../src/inventory/model.js";
import { projectRoot } from "../../../src/paths.js";
import { readSshConfig } from "../../../src/remote/ssh-config.js";
import type { SshConfig } from "../../../src/remote/ssh-config.js";
import { GLOBAL_KNOWN_HOSTS_PATHS, readSshConfigFor, sshTargetFor } from "../../../src/remote/target.js";

const FIXTURE = join(projectRoot(), "test", "fixtures", "ssh-config");

// Only the fields sshTargetFor reads.
function inventory(address: string, ssh: Record<string, unknown> = {}, hostSsh?: Record<string, unknown>): { inv: Inventory; host: never } {
  const host = { name: "h", address, ...(hostSsh ? { ssh: hostSsh } : {}) };
  const inv = { path: "/ops/inv.yaml", dir: "/ops", data: { ssh, load_balancers: [], harbor_nodes: [host] } } as unknown as Inventory;
  return { inv, host: host as never };
}

describe("an ssh config, read as ssh reads it", () => {
  let dir = "";
  let config: SshConfig;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "harbor-ha-ssh-config-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const path = join(dir, "config");
    writeFileSync(path, readFileSync(path, "utf8").replaceAll("KEYDIR", dir));
    for (const key of ["id_harbor", "id_inner"]) writeFileSync(join(dir, key), "key\n", { mode: 0o600 });
    const read = readSshConfig(path, { required: true });
    assert.ok(read);
    config = read;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("an alias: HostName, User, Port, the first IdentityFile that exists, IdentitiesOnly", () => {
    const { inv, host } = inventory("harbor1");
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.address, "10.20.0.21");
    assert.equal(t.user, "deploy");
    assert.equal(t.port, 2222);
    assert.equal(t.privateKeyPath, join(dir, "id_harbor"));
    assert.equal(t.identitiesOnly, true);
    assert.equal(t.sudo, true, "a non-root user from the config gets sudo too");
    assert.equal(t.knownHostsName, undefined, "known_hosts names it by its HostName, the address itself");
    assert.equal(t.jumps, undefined);
  });

  it("the first value wins: a specific Host block over `Host *`; UserKnownHostsFile and the system-wide files", () => {
    const { inv, host } = inventory("harbor1");
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.knownHostsPath, join(dir, "known_hosts"));
    assert.deepEqual(t.otherKnownHostsPaths, [join(dir, "known_hosts.team"), ...GLOBAL_KNOWN_HOSTS_PATHS]);
    const other = sshTargetFor(inventory("10.1.2.3").inv, inventory("10.1.2.3").host, config);
    assert.equal(other.user, "fallback", "Host * applies to a host no other block names");
  });

  it("what the inventory sets wins over the config", () => {
    const { inv, host } = inventory("harbor1", { user: "admin", known_hosts: "state/known_hosts" }, { port: 22, private_key: "/keys/id" });
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.user, "admin");
    assert.equal(t.port, 22);
    assert.equal(t.privateKeyPath, "/keys/id");
    assert.equal(t.knownHostsPath, "/ops/state/known_hosts");
    assert.deepEqual(t.otherKnownHostsPaths, GLOBAL_KNOWN_HOSTS_PATHS, "the config's user files give way to the inventory's");
  });

  it("HostKeyAlias names the key in known_hosts; a HostName that is a name is connected to as such", () => {
    const { inv, host } = inventory("harbor2");
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.address, "harbor2.corp.example");
    assert.equal(t.knownHostsName, "harbor2-key");
  });

  it("Host patterns with a negation, and a ProxyJump chain whose hops are looked up in the config themselves", () => {
    const { inv, host } = inventory("node7.corp.example");
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.user, "ops");
    assert.deepEqual(t.jumps, [
      { address: "bastion.corp.example", port: 2201, user: "alice" },
      { address: "10.9.0.1", port: 22, user: "bob", privateKeyPath: join(dir, "id_inner") },
    ]);
    const bastion = sshTargetFor(inventory("bastion.corp.example").inv, inventory("bastion.corp.example").host, config);
    assert.equal(bastion.user, "fallback", "!bastion.corp.example keeps the bastion out of the *.corp.example block");
    assert.equal(bastion.jumps, undefined);
  });

  it("the inventory's jump host (global or per host) over ProxyJump; jump_host: false and ProxyJump none go directly", () => {
    const perHost = inventory(
      "node7.corp.example",
      { jump_host: { address: "gw.example", user: "root" } },
      { jump_host: { address: "inner", port: 2022 } },
    );
    assert.deepEqual(sshTargetFor(perHost.inv, perHost.host, config).jumps, [
      { address: "10.9.0.1", port: 2022, user: "bob", privateKeyPath: join(dir, "id_inner") },
    ]);
    const global = inventory("10.1.2.3", { jump_host: { address: "gw.example" } });
    assert.deepEqual(sshTargetFor(global.inv, global.host, config).jumps, [{ address: "gw.example", port: 22, user: "fallback" }]);
    const off = inventory("node7.corp.example", { jump_host: { address: "gw.example" } }, { jump_host: false });
    assert.equal(sshTargetFor(off.inv, off.host, config).jumps, undefined);
    const none = inventory("direct-1");
    assert.equal(sshTargetFor(none.inv, none.host, config).jumps, undefined);
  });

  it("Include reads the files its pattern matches, in place", () => {
    const { inv, host } = inventory("lb1");
    const t = sshTargetFor(inv, host, config);
    assert.equal(t.address, "10.20.0.11");
    assert.equal(t.port, 2200, "conf.d/ignored.txt does not match *.conf");
  });

  it("refuses a ProxyCommand, naming the fix", () => {
    const { inv, host } = inventory("legacy");
    assert.throws(
      () => sshTargetFor(inv, host, config),
      (err: HarborHaError) => /ProxyCommand/.test(err.message) && /ProxyJump/.test(err.hint ?? ""),
    );
  });

  it("ssh.config_file: another file, false for none, and the default ~/.ssh/config only when it exists", () => {
    const named = { ...inventory("harbor1").inv, dir } as Inventory;
    (named.data as { ssh: unknown }).ssh = { config_file: "config" };
    assert.equal(readSshConfigFor(named)?.path, join(dir, "config"));
    (named.data as { ssh: unknown }).ssh = { config_file: false };
    assert.equal(readSshConfigFor(named), undefined);
    (named.data as { ssh: unknown }).ssh = { config_file: "missing-config" };
    assert.throws(() => readSshConfigFor(named), /cannot read the ssh config .*missing-config/);
    assert.equal(readSshConfig(join(homedir(), "no-such-dir", "config"), { required: false }), undefined);
  });
});

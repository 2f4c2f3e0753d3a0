import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InventoryError } from "../../../src/errors.js";
import { parseInventory, readInventory } from "../../../src/inventory/load.js";
import { harbor1 } from "../../support/harbor1.js";
import { Secret } from "../../../src/inventory/secret.js";
import { projectRoot } from "../../../src/paths.js";
import { createTestWorld, TEST_SECRETS } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { TEST_NOW } from "../../support/tls-fixtures.js";

const FIXTURES = join(projectRoot(), "test", "fixtures", "inventories");
const VALID = readFileSync(join(FIXTURES, "valid.yaml"), "utf8");

describe("loading a valid inventory", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const load = (text: string) => parseInventory(text, { file: join(world.dir, "inv.yaml"), dir: world.dir, env: world.env, now: TEST_NOW });

  it("has no problems and resolves secrets from files and the environment", () => {
    const { inventory, problems } = load(VALID);
    assert.deepEqual(problems, []);
    assert.ok(inventory);
    const d = harbor1(inventory).data;
    assert.equal(d.harbor.admin_password.reveal(), TEST_SECRETS.adminPassword);
    assert.equal(d.harbor.admin_password.source, "env:TEST_ADMIN_PASSWORD");
    // First line only, with its CRLF stripped.
    assert.equal(d.database.password.reveal(), TEST_SECRETS.dbPassword);
    assert.equal(d.database.password.source, `file:${join(world.dir, "secrets/db-password")}`);
    // A secret file without a trailing newline is read as it is.
    assert.equal(d.clair_db?.password.reveal(), TEST_SECRETS.clairDbPassword);
    assert.equal(d.keepalived.auth_pass.reveal(), TEST_SECRETS.vrrpPass);
  });

  it("refuses a Redis password and a db index other than 0 for Harbor 1.x, saying what to do instead", () => {
    const text = VALID.replace("  db_index: 0", "  password: ${env:TEST_REDIS_PASSWORD}\n  db_index: 2");
    const { inventory, problems } = load(text);
    assert.equal(inventory, undefined);
    assert.deepEqual(
      problems.map((p) => `${p.path}: ${p.message}`),
      [
        "redis.password: cannot be used with Harbor 1.4: Harbor 1.4's HA registry config copies redis_url verbatim into the registry's redis.addr (Harbor issues #5275, #6299), so it can carry only host:port; remove it and give a Redis that only the Harbor nodes can reach (bound to their network or firewalled), without AUTH, using db 0",
        "redis.db_index: must be 0 with Harbor 1.4: Harbor 1.4's HA registry config copies redis_url verbatim into the registry's redis.addr (Harbor issues #5275, #6299), so it can carry only host:port, and the registry uses db 0; give a Redis that only the Harbor nodes can reach (bound to their network or firewalled), without AUTH, using db 0",
      ],
    );
  });

  it("makes local paths absolute, fills defaults, and reads the TLS material", () => {
    const inventory = load(VALID).inventory;
    assert.ok(inventory);
    assert.equal(inventory.data.installer.bundle, join(world.dir, "files/harbor-offline-installer-v1.4.0.tgz"));
    assert.equal(inventory.data.ssh.private_key, join(world.dir, "ssh/id_ed25519"));
    assert.equal(inventory.data.keepalived.vrrp_mode, "unicast");
    assert.equal(inventory.data.database.port, 3306);
    assert.equal(inventory.tls?.certificatePem, readFileSync(join(world.dir, "tls/good.crt"), "utf8"));
    assert.equal(inventory.tls?.caPem, readFileSync(join(world.dir, "tls/ca.crt"), "utf8"));
    assert.ok(inventory.tls?.key instanceof Secret);
    assert.equal(inventory.tls?.key.reveal(), readFileSync(join(world.dir, "tls/good.key"), "utf8"));
    assert.equal(
      JSON.stringify(inventory.tls),
      JSON.stringify({ certificatePem: inventory.tls?.certificatePem, key: "[redacted]", caPem: inventory.tls?.caPem }),
    );
  });

  it("is frozen, so that no later layer can change what was validated", () => {
    const inventory = load(VALID).inventory;
    assert.ok(inventory);
    assert.ok(Object.isFrozen(inventory.data.load_balancers));
    assert.throws(() => {
      (inventory.data.cluster as { hostname: string }).hostname = "changed";
    }, TypeError);
  });

  it("expands ~ from HOME", () => {
    writeFileSync(join(world.dir, "home", "key"), "k");
    const { inventory } = load(VALID.replace("private_key: ssh/id_ed25519", "private_key: ~/key"));
    assert.equal(inventory?.data.ssh.private_key, join(world.dir, "home", "key"));
  });

  it("takes host addresses as DNS names or ssh config aliases, a jump host per host, and ssh.config_file", () => {
    const text = VALID.replace("address: 10.20.0.11", "address: lb1.corp.example")
      .replace("address: 10.20.0.22", "address: harbor2\n    ssh:\n      jump_host: { address: bastion.corp.example, port: 2222 }")
      .replace("  private_key: ssh/id_ed25519", "  private_key: ssh/id_ed25519\n  config_file: false\n  jump_host: { address: 10.20.0.5 }");
    const { inventory, problems } = load(text);
    assert.deepEqual(problems, []);
    assert.ok(inventory);
    const d = harbor1(inventory).data;
    assert.equal(d.load_balancers[0]?.address, "lb1.corp.example");
    assert.deepEqual(d.harbor_nodes[1]?.ssh?.jump_host, { address: "bastion.corp.example", port: 2222 });
    assert.equal(d.ssh.config_file, false);
    const bad = load(VALID.replace("address: 10.20.0.11", "address: lb1_corp!"));
    assert.deepEqual(
      bad.problems.map((p) => `${p.path}: ${p.message}`),
      ["load_balancers[0].address: must be an IPv4 address such as 10.20.0.21, a DNS name or a Host alias of your ssh config"],
    );
  });

  it("reports a problem in a secret without the secret, even inline", () => {
    const { problems } = load(VALID.replace("${file:secrets/vrrp-pass}", "${file:secrets/admin-password}"));
    assert.deepEqual(
      problems.map((p) => `${p.path}: ${p.message}`),
      ["keepalived.auth_pass: is longer than 8 characters, and keepalived silently truncates VRRP passwords to 8; use at most 8 characters"],
    );
  });
});

describe("readInventory", () => {
  let world: TestWorld;
  let home: string;
  before(() => {
    world = createTestWorld();
    home = mkdtempSync(join(tmpdir(), "harbor-ha-home-"));
  });
  after(() => {
    world.remove();
    rmSync(home, { recursive: true, force: true });
  });

  it("loads inventory/example.yaml; the files only provision reads are warnings", async () => {
    const { inventory, warnings } = await readInventory(join(projectRoot(), "inventory", "example.yaml"), { env: { HOME: home } });
    assert.equal(inventory.data.cluster.hostname, "registry.example.com");
    assert.ok(warnings.every((w) => w.severity === "warning"));
    const paths = warnings.map((w) => w.path);
    assert.ok(paths.includes("ssh.private_key"), "the example's SSH key does not exist here");
    assert.ok(paths.includes("installer.bundle"), "the installer bundle does not exist here");
    // registry.sql may or may not be there yet; nothing else may be a warning.
    assert.deepEqual(
      paths.filter((p) => !["ssh.private_key", "installer.bundle", "database.registry_sql"].includes(p)),
      [],
    );
    const key = warnings.find((w) => w.path === "ssh.private_key");
    assert.equal(key?.message, `${join(home, ".ssh/harbor_ed25519")} does not exist; provision will need it`);
    // The line of the example's own `private_key:` (1-based).
    const exampleLines = readFileSync(join(projectRoot(), "inventory", "example.yaml"), "utf8").split("\n");
    assert.equal(key?.line, exampleLines.findIndex((l) => /^\s*private_key:/.test(l)) + 1);
  });

  it("throws an InventoryError (exit 2) holding every error and warning", async () => {
    const file = join(world.dir, "many.yaml");
    copyFileSync(join(FIXTURES, "broken", "many-problems.yaml"), file);
    const text = readFileSync(file, "utf8").replace("bundle: files/harbor-offline-installer-v1.4.0.tgz", "bundle: files/absent.tgz");
    writeFileSync(file, text);
    await assert.rejects(readInventory(file, { env: world.env }), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.file, file);
      assert.equal(e.problems.filter((p) => p.severity === "error").length, 11);
      assert.deepEqual(
        e.problems.filter((p) => p.severity === "warning").map((p) => p.path),
        ["installer.bundle"],
      );
      assert.equal(e.message, `${file}: 11 problems in the inventory`);
      return true;
    });
  });

  it("says so when the inventory file does not exist", async () => {
    const file = join(world.dir, "nope.yaml");
    await assert.rejects(readInventory(file), (e: unknown) => {
      assert.ok(e instanceof InventoryError);
      assert.deepEqual(e.problems, [
        { path: "", message: "the file does not exist; give the path of an inventory such as inventory/example.yaml", severity: "error" },
      ]);
      return true;
    });
  });
});

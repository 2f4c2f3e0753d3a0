/**
 * `--json FILE` is checked before any connection (provision, reconfigure, upgrade, status, failover-drill, validate): a symlink, the inventory itself, a missing or
 * unwritable folder stop the run with exit 2 and a clear error, having contacted no host and
 * written nothing. Every SSH connection would go through a jump host that is a TCP server of
 * this test, which counts them (limit-cli.test.ts shows the same run with a good flag connects).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../../../src/paths.js";
import { runCli } from "../../../e2e/helpers/cli.js";
import { UNREACHABLE_ENV, unreachableExample } from "../../../support/unreachable-example.js";
import type { UnreachableExample } from "../../../support/unreachable-example.js";

describe("--json FILE is checked before any connection", () => {
  let world: UnreachableExample;
  let dir = "";
  let inventory = "";
  let inventoryText = "";
  const connections = () => world.connections();

  before(async () => {
    world = await unreachableExample("hha-json-target-");
    ({ dir, inventory, text: inventoryText } = world);
    writeFileSync(join(dir, "precious.txt"), "keep me\n");
    symlinkSync(join(dir, "precious.txt"), join(dir, "link.json"));
  });
  after(() => world.close());

  const env = UNREACHABLE_ENV;
  const commands: Array<[string, ...string[]]> = [
    ["provision", "--dry-run"],
    ["reconfigure", "--dry-run"],
    ["upgrade", "--dry-run"],
    ["status"],
    ["failover-drill"],
    ["validate"],
  ];
  const targets = [
    { name: "a symlink", file: () => join(dir, "link.json"), error: /--json .*link\.json: is a symbolic link.*; nothing was written there/ },
    { name: "the inventory itself", file: () => inventory, error: /--json .*example\.yaml: is the inventory itself/ },
    { name: "a missing folder", file: () => join(dir, "no-such", "r.json"), error: /its folder .*no-such does not exist/ },
  ];

  for (const [command, ...flags] of commands) {
    for (const t of targets) {
      it(`${command} --json <${t.name}>: exit 2, the reason, no connection, nothing written`, async () => {
        const before = connections();
        const r = await runCli([command, inventory, ...flags, "--json", t.file()], { env, timeoutMs: 60_000 });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, t.error);
        assert.equal(connections() - before, 0, "no connection was opened");
        assert.equal(readFileSync(join(dir, "precious.txt"), "utf8"), "keep me\n");
        assert.equal(readFileSync(inventory, "utf8"), inventoryText);
        assert.equal(existsSync(join(dir, "no-such")), false);
      });
    }
  }

  it("a folder this user cannot write: exit 2 with the fix (run as nobody, as root may write anywhere)", () => {
    const shut = join(dir, "shut");
    mkdirSync(shut);
    chmodSync(shut, 0o555);
    chmodSync(dir, 0o755);
    const r = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        join(projectRoot(), "bin", "harbor-ha.js"),
        "validate",
        inventory,
        "--json",
        join(shut, "r.json"),
      ],
      { encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1" }, timeout: 60_000 },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--json .*shut\/r\.json: its folder .*shut is not writable by this user; nothing was written there/);
    assert.match(r.stderr, /give --json a file in a folder you can write/);
  });
});

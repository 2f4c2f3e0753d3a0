import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderShell } from "../../../src/shell/command.js";
import { gateCheckCommand } from "../../../src/execute/health-commands.js";
import { parseFingerprint } from "../../../src/facts/fingerprint.js";
import { removeDrainMarkerCommand } from "../../../src/lb/lvs-dr/drain.js";
import { stopHarborCommand } from "../../../src/steps/commands.js";
import { harborComposeFileArgs } from "../../../src/harbor/v1/commands.js";
import { COMPOSE_FUNCTION } from "../../../src/harbor/v2/commands.js";

const V1_COMPOSE = 'compose() { docker-compose "$@"; }';
import { orderLoadBalancers } from "../../../src/execute/loadbalancer-roll.js";

describe("rolling commands", () => {
  it("reads OpenSSL's fingerprint line, old and new spelling", () => {
    assert.equal(parseFingerprint("sha256 Fingerprint=ab:CD:01\n"), "AB:CD:01");
    assert.equal(parseFingerprint("SHA256 Fingerprint=AB:CD:01\n"), "AB:CD:01");
    assert.equal(parseFingerprint("unable to load certificate\n"), undefined);
  });

  it("builds the drain and gate commands as quoted strings", () => {
    assert.equal(
      removeDrainMarkerCommand("10.0.0.1").toString(),
      "rm -f -- /var/lib/harbor-ha/drain/10.0.0.1 /var/lib/harbor-ha/drain/10.0.0.1.harbor-ha.bak",
    );
    const gate = gateCheckCommand("10.0.0.1").toString();
    assert.match(gate, /^sh -c '.*readonly DRAIN_DIR=\/nonexistent\/harbor-ha-gate.*' sh \/usr\/local\/bin\/check\.sh 10\.0\.0\.1$/);
  });

  it("stops Harbor with docker-compose down and the compose files install.sh used; removes files only with purge", () => {
    const keep = stopHarborCommand("/opt/harbor", {
      composeFunction: V1_COMPOSE,
      composeFileArgs: harborComposeFileArgs(false),
      purge: false,
      bundlePath: "/opt/h.tgz",
      stampPath: "/var/lib/s",
    }).toString();
    assert.match(keep, /compose\(\) \{ docker-compose "\$@"; \}/);
    assert.match(keep, /compose "\$@" down/);
    assert.match(keep, / \/opt\/harbor \/opt\/h\.tgz \/var\/lib\/s -f docker-compose\.yml$/);
    assert.doesNotMatch(keep, /rm -rf|standin|pid/);
    const purge = stopHarborCommand("/opt/harbor", {
      composeFunction: V1_COMPOSE,
      composeFileArgs: harborComposeFileArgs(true),
      purge: true,
      bundlePath: "/opt/h.tgz",
      stampPath: "/var/lib/s",
    }).toString();
    assert.match(purge, /rm -rf -- "\$d" "\$bundle" "\$stamp"/);
    assert.match(purge, / -f docker-compose\.yml -f docker-compose\.clair\.yml$/);
  });

  it("runs docker-compose down in Harbor's folder, and tolerates a node where Harbor is not installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "hha-stop-"));
    try {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      // A docker-compose that records where and with what it was called.
      writeFileSync(join(bin, "docker-compose"), `#!/bin/sh\necho "$PWD $*" >> ${join(dir, "calls")}\n`, { mode: 0o755 });
      const harbor = join(dir, "harbor");
      const run = (purge: boolean) => {
        const c = stopHarborCommand(harbor, {
          composeFunction: V1_COMPOSE,
          composeFileArgs: harborComposeFileArgs(true),
          purge,
          bundlePath: join(dir, "h.tgz"),
          stampPath: join(dir, "stamp"),
        });
        return spawnSync("sh", ["-c", renderShell(c, { reveal: true })], {
          encoding: "utf8",
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
        });
      };
      const absent = run(false);
      assert.equal(absent.status, 0, absent.stderr);
      assert.equal(existsSync(join(dir, "calls")), false, "no compose file: nothing to stop");
      mkdirSync(harbor);
      writeFileSync(join(harbor, "docker-compose.yml"), "version: '2'\n");
      writeFileSync(join(dir, "h.tgz"), "x");
      assert.equal(run(false).status, 0);
      assert.equal(readFileSync(join(dir, "calls"), "utf8"), `${harbor} -f docker-compose.yml -f docker-compose.clair.yml down\n`);
      assert.equal(existsSync(harbor), true, "files kept without purge");
      assert.equal(run(true).status, 0);
      assert.equal(existsSync(harbor) || existsSync(join(dir, "h.tgz")), false, "purge removes the folder and the bundle");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Harbor 2.x: stops with the docker compose plugin when there is one, as its install.sh started it", () => {
    const dir = mkdtempSync(join(tmpdir(), "hha-stop2-"));
    try {
      const bin = join(dir, "bin");
      mkdirSync(bin);
      // A docker whose compose plugin answers `compose version` and records the rest.
      writeFileSync(join(bin, "docker"), `#!/bin/sh\n[ "$1 $2" = "compose version" ] && exit 0\necho "$PWD $*" >> ${join(dir, "calls")}\n`, {
        mode: 0o755,
      });
      const harbor = join(dir, "harbor");
      mkdirSync(harbor);
      writeFileSync(join(harbor, "docker-compose.yml"), "services: {}\n");
      const c = stopHarborCommand(harbor, {
        composeFunction: COMPOSE_FUNCTION,
        composeFileArgs: ["-f", "docker-compose.yml"],
        purge: false,
        bundlePath: join(dir, "h.tgz"),
        stampPath: join(dir, "stamp"),
      });
      const r = spawnSync("sh", ["-c", renderShell(c, { reveal: true })], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readFileSync(join(dir, "calls"), "utf8"), `${harbor} compose -f docker-compose.yml down\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("orders load balancers backups first, the VIP holder last", () => {
    assert.deepEqual(orderLoadBalancers(["lb1", "lb2", "lb3"], ["lb1"]), ["lb2", "lb3", "lb1"]);
    assert.deepEqual(orderLoadBalancers(["lb1", "lb2"], []), ["lb1", "lb2"]);
  });
});

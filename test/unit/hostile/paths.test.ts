/**
 * Paths on the hosts are normal and confined (formats/host-path.ts, inventory/path-checks.ts),
 * and `render --out` writes only under --out/<host>/ (write-render-tree.ts's guard).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { within, writeRenderTree } from "../../../src/cli/write-render-tree.js";
import type { DesiredState } from "../../../src/desired/types.js";
import { describeErrors, describeRefused, loadPatched } from "./patched.js";
import type { Base } from "./patched.js";

const INSTALL_DIR = ["installer", "install_dir"] as const;

const REFUSED: Array<[name: string, base: Base, value: string]> = [
  ["climbing out of the root", "v1", "/../../../x"],
  ["a .. segment", "v1", "/opt/../etc"],
  ["a . segment", "v1", "/opt/./harbor"],
  ["a tab", "v1", "/opt/\tx"],
  ["a newline", "v1", "/opt\n/x"],
  ["a relative path", "v1", "opt"],
  ["a double slash", "v1", "/opt//x"],
  ["the shared registry storage", "v1", "/data/registry"],
  ["under the shared job logs", "v1", "/data/job_logs/harbor"],
  ["the shared registry storage (2.x)", "v2", "/data/registry"],
  ["a newline (2.x)", "v2", "/opt\nx"],
];

describeRefused(
  "installer.install_dir is a normal absolute path off the shared storage",
  REFUSED.map(([name, base, value]) => ({
    name: `refuses ${name}: ${JSON.stringify(value)}`,
    base,
    patch: [[INSTALL_DIR, value]],
    path: "installer.install_dir",
  })),
  (world) => {
    it("accepts /opt, /srv/harbor-install and /data (off the shared mounts)", () => {
      for (const value of ["/opt", "/srv/harbor-install", "/data"])
        assert.equal(describeErrors(loadPatched(world(), "v1", [[INSTALL_DIR, value]])), "(no errors)");
    });
  },
);

describe("render --out writes only under --out/<host>/", () => {
  it("within() keeps a host's absolute path under the base and refuses one that climbs out", () => {
    assert.equal(within("/out/lb1", "/etc/keepalived/keepalived.conf"), "/out/lb1/etc/keepalived/keepalived.conf");
    assert.throws(() => within("/out/lb1", "/../../../x"), /outside/);
    assert.throws(() => within("/out", "../lb1.manifest.json"), /outside/);
    assert.throws(() => within("/out/lb1", "/"), /outside/);
  });

  it("a desired file that would climb out is not written anywhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hha-out-"));
    try {
      const desired: DesiredState = {
        hosts: [
          {
            host: { name: "harbor1", address: "10.0.0.1", role: "harbor" },
            packages: [],
            users: [],
            directories: [],
            mounts: [],
            requiredMounts: [],
            files: [
              { path: "/../../escaped", content: "x\n", mode: 0o644, owner: "root", group: "root", sensitive: false, onChange: [], description: "x" },
            ],
          },
        ],
        database: undefined,
      } as unknown as DesiredState;
      await assert.rejects(writeRenderTree(join(dir, "out"), desired), /outside/);
      assert.equal(existsSync(join(dir, "escaped")), false);
      assert.equal(existsSync(join(dir, "out", "escaped")), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

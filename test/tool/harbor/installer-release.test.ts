/**
 * A Harbor 2.x bundle of another release than harbor_version is refused before anything
 * reaches a node, naming both: read from Harbor's real installers in ../shared/harbor/
 * through the run's own bundle reading (readBundleInfo), and from the evidence a full offline
 * installer carries (its image archive, its prepare image's tag).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkInstallerRelease, installerReleaseFrom, readInstallerRelease } from "../../../src/bundle/installer-release.js";
import { HarborHaError } from "../../../src/errors.js";
import { readBundleInfo } from "../../../src/run/cluster-run.js";
import { projectRoot } from "../../../src/paths.js";
import { readFileSync } from "node:fs";
import { SHARED_HARBOR_DIR } from "../../support/harbor-bundles.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { harbor2VmInventoryIn } from "../../support/inventories.js";

const VMS_FIXTURE = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8");
const bundle = (release: string) => join(SHARED_HARBOR_DIR, `harbor-offline-installer-v${release}-noimages.tgz`);

describe("the installer bundle is harbor_version's release", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const run = (harborVersion: string, bundlePath: string) => {
    const text = VMS_FIXTURE.replace(/harbor_version: .*/, `harbor_version: ${harborVersion}`).replace(/bundle: .*/, `bundle: ${bundlePath}`);
    return readBundleInfo(harbor2VmInventoryIn(world, text), { persist: false });
  };

  it("accepts the bundle of harbor_version", async () => {
    const info = await run("2.13.4", bundle("2.13.4"));
    assert.match(info.sha256, /^[0-9a-f]{64}$/);
  });

  it("refuses another patch release of the same line, naming both", async () => {
    await assert.rejects(run("2.15.1", bundle("2.15.2")), (err: HarborHaError) => {
      assert.equal(err.exitCode, 2);
      assert.match(
        err.message,
        /harbor-offline-installer-v2\.15\.2-noimages\.tgz is Harbor 2\.15\.2 \(by its file name\); cluster\.harbor_version is 2\.15\.1/,
      );
      return true;
    });
  });

  it("refuses another line's bundle by its harbor.yml.tmpl, whatever its name says", async () => {
    await assert.rejects(
      run("2.15.2", bundle("2.13.4")),
      /of another Harbor line than cluster\.harbor_version 2\.15\.2: its harbor\.yml\.tmpl has _version 2\.13\.0, Harbor 2\.15's is 2\.15\.0/,
    );
    const found = await readInstallerRelease(bundle("2.13.4"));
    assert.deepEqual(found, { release: "2.13.4", evidence: "its file name", configVersion: "2.13.0" });
    assert.throws(() => checkInstallerRelease("renamed-2.15.2.tgz", { ...found, release: "2.15.2" }, "2.15.2"), /_version 2\.13\.0/);
  });

  it("reads a full installer's image archive and prepare tag before its name, and refuses a bundle that says nothing", () => {
    const tmpl = "_version: 2.15.0\n";
    assert.equal(
      installerReleaseFrom("harbor-offline-installer-v2.15.1.tgz", ["harbor/harbor.v2.15.3.tar.gz"], "goharbor/prepare:dev", tmpl).release,
      "2.15.3",
    );
    assert.equal(installerReleaseFrom("mine.tgz", ["harbor/prepare"], "docker run goharbor/prepare:v2.15.2 prepare", tmpl).release, "2.15.2");
    const nothing = installerReleaseFrom("mine.tgz", ["harbor/prepare"], "goharbor/prepare:dev", tmpl);
    assert.throws(() => checkInstallerRelease("mine.tgz", nothing, "2.15.2"), /cannot tell which Harbor release the installer bundle mine\.tgz is/);
  });
});

/**
 * `harbor-ha helm-values` as a process: values on stdout only when it is not a terminal (with
 * a warning that they hold secrets, which itself holds none), and bad input changing nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { projectRoot } from "../../../../src/paths.js";
import { harborChart } from "../../../support/helm.js";
import { createTestWorld, TEST_SECRETS } from "../../../support/test-world.js";
import type { TestWorld } from "../../../support/test-world.js";
import { HELM_FIXTURE } from "../../../support/run-helm-values.js";

describe("helm-values on the command line", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot(), "bin", "harbor-ha.js"), "helm-values", ...args], {
      cwd: world.dir,
      env: { ...process.env, ...world.env },
      encoding: "utf8",
    });

  it("refuses bad kubernetes.values before anything is generated: exit 2, no state folder, no file", () => {
    writeFileSync(join(world.dir, "bad.yaml"), `${HELM_FIXTURE}  values:\n    core:\n      replica: 5\n`);
    const r = run(["bad.yaml", "--chart", harborChart(), "--out", "values.yaml"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /kubernetes\.values\.core\.replica: is not a key of the chart's values; did you mean "replicas"\?/);
    assert.equal(existsSync(join(world.dir, ".harbor-ha")), false, "the state folder is untouched");
    assert.equal(existsSync(join(world.dir, "values.yaml")), false);
  });

  it("refuses a chart it does not target", () => {
    writeFileSync(join(world.dir, "inv.yaml"), HELM_FIXTURE);
    const r = run([
      "inv.yaml",
      "--chart",
      join(projectRoot(), "..", "shared", "harbor", "harbor-offline-installer-v2.15.1-noimages.tgz"),
      "--out",
      "values.yaml",
    ]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /not a Helm chart package|harbor-ha helm-values writes values for harbor 1\.19\.1/);
  });

  it("writes to a pipe with a warning on stderr that names no secret", () => {
    writeFileSync(join(world.dir, "inv.yaml"), HELM_FIXTURE);
    const r = run(["inv.yaml"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# Values for goharbor\/harbor-helm 1\.19\.x \(checked with 1\.19\.1\), deploying Harbor 2\.15\.1,/);
    assert.ok(r.stdout.includes(TEST_SECRETS.dbPassword), "the values hold the database password");
    assert.match(r.stderr, /the values written to stdout hold secrets/);
    for (const secret of Object.values(TEST_SECRETS)) assert.ok(!r.stderr.includes(secret), "stderr holds no secret");
  });

  it("refuses to replace a file it did not write", () => {
    writeFileSync(join(world.dir, "mine.yaml"), "# my own values\n");
    const r = run(["inv.yaml", "--out", "mine.yaml"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /mine\.yaml exists and was not written by harbor-ha helm-values/);
  });
});

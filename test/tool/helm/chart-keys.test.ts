/**
 * Every key helm-values writes exists in the real chart's values.yaml (read from
 * ../shared/harbor/ at test time, never copied): the chart has no schema, and helm silently
 * ignores a key it does not know, so a misspelling here would deploy Harbor without HA.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { catalogueChartKeys, findUnknownValueKeys } from "../../../src/helm/chart-keys.js";
import type { ChartKeyNode } from "../../../src/helm/chart-keys.js";
import { readChartPackage } from "../../../src/bundle/read-chart.js";
import { harbor2LineOf } from "../../../src/harbor/versions.js";
import { harborChart } from "../../support/helm.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { HELM_FIXTURE, runHelmValues, variant } from "../../support/run-helm-values.js";

const paths = (unknown: Array<{ path: string[] }>) => unknown.map((u) => u.path.join("."));

describe("the chart's keys", () => {
  let keys: ChartKeyNode;
  let world: TestWorld;
  before(async () => {
    const chart = await readChartPackage(harborChart());
    // The fixture's Harbor (2.15.1) is deployed by this chart line.
    assert.equal(chart.version, harbor2LineOf("2.15.1")?.chart.checked);
    keys = catalogueChartKeys(chart.valuesYaml);
    world = createTestWorld();
  });
  after(() => world.remove());

  it("knows the chart's keys, its commented-out optional ones, and refuses misspellings with a suggestion", () => {
    assert.deepEqual(
      findUnknownValueKeys(
        { jobservice: { jobLoggers: ["database"] }, persistence: { imageChartStorage: { s3: { accesskey: "a", existingSecret: "s" } } } },
        keys,
      ),
      [],
    );
    const unknown = findUnknownValueKeys(
      {
        jobservice: { jobLogger: "database" },
        core: { replica: 2, podAnnotations: { "a/b": "c" } },
        persistence: { imageChartStorage: { s3: { acesskey: "a" } } },
      },
      keys,
    );
    assert.deepEqual(paths(unknown), ["jobservice.jobLogger", "core.replica", "persistence.imageChartStorage.s3.acesskey"]);
    assert.match(unknown[0]?.message ?? "", /did you mean "jobLoggers"\?/);
    assert.deepEqual(
      paths(findUnknownValueKeys({ expose: { ingress: { annotations: { "any/thing": "x" } } }, harborAdminPassword: { nested: 1 } }, keys)),
      ["harborAdminPassword"],
    );
  });

  const shapes: Array<[string, (t: string) => string]> = [
    ["a claim, plain Redis with a password, inventory secrets", (t) => t],
    [
      "S3 with an existing secret, Sentinel with a user, Trivy off, every secret existing",
      (t) =>
        variant(
          variant(
            variant(
              t,
              "storage:\n  type: pvc\n  storage_class: cephfs\n  size: 300Gi\n",
              "storage:\n  type: object_store\n  provider: s3\n  config:\n    region: r\n    bucket: b\n    regionendpoint: https://s3.test\n    secure: true\n    v4auth: true\n",
            ),
            "redis:\n  host: redis.test\n  port: 6380\n",
            "redis:\n  username: harbor\n  sentinel:\n    master_set: m\n    hosts:\n      - host: s.test\n",
          ),
          "harbor:\n",
          "harbor:\n  with_trivy: false\n",
        ) +
        "  existing_secrets:\n    admin_password: a\n    secret_key: b\n    core_secret: c\n    core_token: d\n    csrf_key: e\n    jobservice_secret: f\n    registry_http_secret: g\n    registry_credentials: h\n    database: i\n    redis: j\n    s3: k\n",
    ],
  ];
  for (const [name, make] of shapes) {
    it(`every key written exists in the real chart's values.yaml: ${name}`, async () => {
      const run = await runHelmValues(world, make(HELM_FIXTURE), "keys");
      assert.equal(run.code, 0);
      const values = parse(run.text) as unknown;
      assert.deepEqual(paths(findUnknownValueKeys(values, keys)), []);
      // And the check is not vacuous: the same values with one key misspelled are refused.
      const misspelled = JSON.parse(JSON.stringify(values).replace('"jobLoggers"', '"jobLogger"')) as unknown;
      assert.deepEqual(paths(findUnknownValueKeys(misspelled, keys)), ["jobservice.jobLogger"]);
    });
  }

  it("checks kubernetes.values against the chart given with --chart, refuses them without it, and never lets them replace harbor-ha's values", async () => {
    const chart = ["--chart", harborChart()];
    const passthrough = (values: string) => `${HELM_FIXTURE}  values:\n${values}`;
    const ok = await runHelmValues(world, passthrough("    core:\n      podAnnotations:\n        team/owner: registry\n"), "pass-ok", chart);
    assert.equal(ok.code, 0);
    assert.equal(
      (parse(ok.text) as { core: { podAnnotations: Record<string, string>; replicas: number } }).core.podAnnotations["team/owner"],
      "registry",
    );

    const typo = await runHelmValues(world, passthrough("    jobservice:\n      jobLogger: database\n"), "pass-typo", chart);
    assert.equal(typo.code, 2);
    assert.equal(typo.text, "", "nothing written");

    const noChart = await runHelmValues(world, passthrough("    core:\n      podAnnotations:\n        a: b\n"), "pass-nochart");
    assert.equal(noChart.code, 2);

    const replaces = await runHelmValues(world, passthrough("    core:\n      replicas: 1\n"), "pass-replaces", chart);
    assert.equal(replaces.code, 2);
  });
});

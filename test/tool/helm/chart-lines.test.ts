/**
 * helm-values per chart line, judged by each line's real chart from ../shared/harbor/ and the
 * real helm: the values pass `helm lint`, every Harbor image `helm template` renders is the
 * inventory's exact release (not the chart's appVersion), a chart of another line is refused
 * naming both, and the values for the next line's chart keep every secret, so that
 * `helm upgrade` to it changes none.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Harbor2ReleaseLine } from "../../../src/harbor/v2/data/release-line.js";
import { readChartPackage } from "../../../src/bundle/read-chart.js";
import { harborChartOfLineOrFail, renderChart, runHelm } from "../../support/helm.js";
import { harbor2ChartLinesAtHand } from "../../support/harbor-bundles.js";
import type { Manifest } from "../../support/helm.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { HELM_FIXTURE, runHelmValues } from "../../support/run-helm-values.js";

/** The release lines whose chart is in ../shared/harbor/ (2.13 and 2.15 always; another where it was built). */
const LINES = harbor2ChartLinesAtHand();

/** A release of the line other than the chart's appVersion: the case where the chart's own tags would deploy another Harbor. */
async function releaseBesideAppVersion(line: Harbor2ReleaseLine): Promise<{ chart: string; appVersion: string; release: string }> {
  const chart = harborChartOfLineOrFail(line.chart.line);
  const { appVersion } = await readChartPackage(chart);
  const patch = Number(appVersion.split(".")[2]);
  return { chart, appVersion, release: `${line.line}.${patch + 1}` };
}

const inventoryOf = (release: string) => HELM_FIXTURE.replace(/harbor_version: .*/, `harbor_version: ${release}`);

/** Every container image of the workloads. */
function images(ms: Manifest[]): string[] {
  return ms
    .filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet")
    .flatMap((m) => ((m.spec?.["template"] as { spec: { containers: Array<{ image: string }> } }).spec.containers ?? []).map((c) => c.image));
}

/** The chart's Secrets by name, each with its data (base64 values). */
function secretData(ms: Manifest[]): Map<string, Record<string, string>> {
  return new Map(ms.filter((m) => m.kind === "Secret").map((m) => [m.metadata.name, m.data ?? {}]));
}

describe("helm-values per chart line", () => {
  let world: TestWorld;
  before(() => {
    world = createTestWorld();
  });
  after(() => world.remove());

  for (const line of LINES) {
    it(`Harbor ${line.line}: values for chart ${line.chart.line}.x pass helm lint and deploy exactly harbor_version's images`, async () => {
      const { chart, appVersion, release } = await releaseBesideAppVersion(line);
      const run = await runHelmValues(world, inventoryOf(release), `line-${line.line}`, ["--chart", chart]);
      assert.equal(run.code, 0);
      assert.match(run.text, new RegExp(`^# Values for goharbor/harbor-helm ${line.chart.line.replace(".", "\\.")}\\.x .*Harbor ${release}`, "m"));
      runHelm(["lint", chart, "--namespace", "harbor", "-f", run.valuesPath]);
      const harborImages = images(renderChart([run.valuesPath], "harbor", chart)).filter((i) => i.includes("goharbor/"));
      assert.ok(harborImages.length >= 5, harborImages.join(", "));
      for (const image of harborImages) assert.ok(image.endsWith(`:v${release}`), `${image} is Harbor ${release}`);
      // The control: the chart's own tags are its appVersion, another release.
      const own = images(renderChart([], "harbor", chart)).filter((i) => i.includes("goharbor/"));
      assert.ok(own.length > 0 && own.every((i) => i.endsWith(`:v${appVersion}`)), own.join(", "));
    });

    for (const other of LINES.filter((l) => l.chart.line !== line.chart.line)) {
      it(`Harbor ${line.line}: refuses chart ${other.chart.checked} (another line), naming both, and writes nothing`, async () => {
        const { release } = await releaseBesideAppVersion(line);
        const run = await runHelmValues(world, inventoryOf(release), `mismatch-${line.line}-${other.line}`, [
          "--chart",
          harborChartOfLineOrFail(other.chart.line),
        ]);
        assert.equal(run.code, 2);
        assert.equal(run.text, "");
      });
    }
  }

  const pairs = LINES.slice(1).map((next, i) => [LINES[i] as Harbor2ReleaseLine, next] as const);
  for (const [from, to] of pairs) {
    it(`helm upgrade from chart ${from.chart.line}.x to ${to.chart.line}.x keeps every secret: same inventory, the next line's values`, async () => {
      const a = await releaseBesideAppVersion(from);
      const b = await releaseBesideAppVersion(to);
      const runA = await runHelmValues(world, inventoryOf(a.release), `upgrade-from-${from.line}`);
      const runB = await runHelmValues(world, inventoryOf(b.release), `upgrade-to-${to.line}`);
      assert.equal(runA.code, 0);
      assert.equal(runB.code, 0);
      const before = secretData(renderChart([runA.valuesPath], "harbor", a.chart));
      const after = secretData(renderChart([runB.valuesPath], "harbor", b.chart));
      let compared = 0;
      for (const [name, data] of before) {
        const next = after.get(name);
        assert.ok(next, `the next chart still renders Secret ${name}`);
        for (const [key, value] of Object.entries(data)) {
          if (!(key in next)) continue;
          assert.equal(next[key], value, `Secret ${name} ${key} is unchanged by the upgrade`);
          compared++;
        }
      }
      assert.ok(compared >= 10, `compared ${compared} secret values`);
    });
  }
});

/**
 * Each Harbor 2.x release line's data against Harbor's own files for it in ../shared/harbor/:
 * the installer's harbor.yml.tmpl and the prepare image's migrations (the configuration
 * format), the chart's Chart.yaml (which chart line deploys it) and values.yaml (its Harbor-tagged images). A line without its files
 * there fails: its data would be unchecked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { HARBOR_IMAGES_NOT_DEPLOYED, HARBOR_RELEASE_IMAGES } from "../../../src/harbor/helm-chart.js";
import { HARBOR2_RELEASE_LINES } from "../../../src/harbor/v2/data/lines/index.js";
import { harbor2LineOf, SUPPORTED_HARBOR2_SERIES } from "../../../src/harbor/versions.js";
import {
  harbor2ChartLinesAtHand,
  harbor2LineFiles,
  harbor2LinesAtHand,
  harborChartOfLine,
  HARBOR2_LINES_ALWAYS_AT_HAND,
  readTgzMember,
} from "../../support/harbor-bundles.js";

// A line's files may be at hand only where they were built (../shared/harbor/README.md): each
// line is judged against the files that are there; 2.13 and 2.15 always are (else these throw).
const WITH_FILES = new Set(harbor2LinesAtHand());
const WITH_CHART = new Set(harbor2ChartLinesAtHand());

describe("Harbor 2.x release lines as data", () => {
  for (const line of HARBOR2_RELEASE_LINES) {
    describe(`Harbor ${line.line}`, () => {
      if (HARBOR2_LINES_ALWAYS_AT_HAND.includes(line.line)) {
        it("has its installer, prepare image and chart in ../shared/harbor/", () => {
          assert.ok(harbor2LineFiles(line.line), `../shared/harbor/ has no harbor-offline-installer-v${line.line}.N-noimages.tgz`);
          assert.ok(harborChartOfLine(line.chart.line), `../shared/harbor/ has no harbor-helm-chart-${line.chart.line}.N.tgz`);
        });
      }

      if (WITH_FILES.has(line))
        it(`writes harbor.yml's _version as the line's installer ships it and its prepare migrates to (${line.configVersion})`, () => {
          const files = harbor2LineFiles(line.line);
          assert.ok(files);
          const tmpl = parse(readTgzMember(files.installer, "harbor/harbor.yml.tmpl")) as { _version?: unknown };
          assert.equal(tmpl._version, line.configVersion, `${files.installer}: harbor/harbor.yml.tmpl`);
          // prepare migrate's default --target is the format this prepare reads as its own.
          const migrate = readTgzMember(files.prepareImage, "commands/migrate.py");
          assert.match(migrate, new RegExp(`'--target', default='${line.configVersion.replace(/\./g, "\\.")}'`));
        });

      if (WITH_CHART.has(line))
        it(`is deployed by chart line ${line.chart.line}, checked with ${line.chart.checked}`, () => {
          const chart = harborChartOfLine(line.chart.line);
          assert.ok(chart, `../shared/harbor/ has no harbor-helm-chart-${line.chart.line}.N.tgz`);
          assert.equal(chart.version, line.chart.checked);
          const meta = parse(readTgzMember(chart.path, "harbor/Chart.yaml")) as { version?: unknown; appVersion?: unknown };
          assert.equal(meta.version, line.chart.checked);
          assert.equal(harbor2LineOf(String(meta.appVersion)), line, `Chart.yaml's appVersion ${String(meta.appVersion)} is of line ${line.line}`);
          // The images tagged with the chart's Harbor are the ones helm-values sets to harbor_version, or never deploys.
          const tagged: string[] = [];
          const walk = (v: unknown, path: string[]) => {
            if (v === null || typeof v !== "object" || Array.isArray(v)) return;
            const o = v as Record<string, unknown>;
            const image = o["image"] as { tag?: unknown } | undefined;
            if (image?.tag === `v${String(meta.appVersion)}`) tagged.push(path.join("."));
            for (const [k, child] of Object.entries(o)) walk(child, [...path, k]);
          };
          walk(parse(readTgzMember(chart.path, "harbor/values.yaml")), []);
          assert.deepEqual(tagged.sort(), [...HARBOR_RELEASE_IMAGES, ...HARBOR_IMAGES_NOT_DEPLOYED].map((p) => p.join(".")).sort());
        });
    });
  }

  it("accepts a release of each line and no other 2.x line", () => {
    assert.deepEqual(
      SUPPORTED_HARBOR2_SERIES,
      HARBOR2_RELEASE_LINES.map((l) => l.line),
    );
    for (const l of HARBOR2_RELEASE_LINES) assert.equal(harbor2LineOf(`${l.line}.7`), l);
    assert.equal(harbor2LineOf("2.12.0"), undefined);
    assert.equal(harbor2LineOf("2.16.0"), undefined);
    assert.equal(harbor2LineOf("2.15"), undefined);
  });
});

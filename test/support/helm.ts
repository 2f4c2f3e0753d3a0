/**
 * The real helm binary and Harbor's real chart, for tests that render the chart with the
 * values harbor-ha writes. helm is not a Debian package: scripts/setup.sh fetches the official
 * binary into .tools/helm/ (gitignored). A missing helm or chart fails the test, never skips it.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { projectRoot } from "../../src/paths.js";
import { harborChartOfLine, SHARED_HARBOR_DIR } from "./harbor-bundles.js";

export const HARBOR_CHART = join(SHARED_HARBOR_DIR, "harbor-helm-chart-1.19.1.tgz");

export function helmBinary(): string {
  const path = join(projectRoot(), ".tools", "helm", "helm");
  if (!existsSync(path)) throw new Error(`helm is not at ${path}; run scripts/setup.sh, which fetches it (Debian has no helm package)`);
  return path;
}

export function harborChart(): string {
  if (!existsSync(HARBOR_CHART))
    throw new Error(`Harbor's chart is not at ${HARBOR_CHART}; these tests need ../shared/harbor/ beside the project (see its README.md)`);
  return HARBOR_CHART;
}

/** A Kubernetes object as the chart renders it (only what the tests read is typed). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown> & { replicas?: number };
  data?: Record<string, string>;
}

/** The chart package of a chart line (e.g. "1.17") in ../shared/harbor/; fails when there is none. */
export function harborChartOfLineOrFail(chartLine: string): string {
  const chart = harborChartOfLine(chartLine);
  if (chart === undefined) throw new Error(`../shared/harbor/ has no harbor-helm-chart-${chartLine}.N.tgz (see its README.md)`);
  return chart.path;
}

/** Runs helm with its caches out of the way; its stdout. */
export function runHelm(args: string[]): string {
  return execFileSync(helmBinary(), args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, HELM_CACHE_HOME: "/tmp/harbor-ha-helm-cache", HELM_CONFIG_HOME: "/tmp/harbor-ha-helm-config" },
  });
}

/** `helm template` of the real chart (by default 1.19.1) with these values files; the manifests, parsed. */
export function renderChart(valuesFiles: string[], release = "harbor", chart = harborChart()): Manifest[] {
  const out = runHelm(["template", release, chart, "--namespace", "harbor", ...valuesFiles.flatMap((f) => ["-f", f])]);
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

export function findManifest(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found)
    throw new Error(`the chart rendered no ${kind} ${name}; it rendered ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
}

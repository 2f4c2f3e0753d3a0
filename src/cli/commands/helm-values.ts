import { basename, relative } from "node:path";
import type { Command } from "commander";
import { InternalError, InventoryError, UsageError } from "../../errors.js";
import { HARBOR2_CHART_LINES_TEXT, SUPPORTED_HARBOR2_VERSIONS_TEXT } from "../../harbor/versions.js";
import { buildHelmValues, placeholderPinnedSecrets } from "../../helm/build-values.js";
import type { ChartUnderCheck } from "../../helm/build-values.js";
import { catalogueChartKeys } from "../../helm/chart-keys.js";
import { chartLineOf, chartMismatch, helmPullCommand } from "../../helm/chart-line.js";
import type { ChartLine } from "../../helm/chart-line.js";
import { formatHelmValues } from "../../helm/format-values.js";
import { readChartPackage } from "../../bundle/read-chart.js";
import { writeValuesFile } from "../write-values-file.js";
import { readHarbor2Inventory } from "../../inventory/load.js";
import type { Harbor2Inventory } from "../../inventory/model-v2.js";
import { readOrCreateChartSecrets } from "../../secrets/chart-secrets.js";
import { clusterStateDir, readOrCreateClusterState } from "../../secrets/cluster-state.js";
import { formatProblems } from "../format-problems.js";

export function registerHelmValues(program: Command): void {
  program
    .command("helm-values")
    .summary("write values for Harbor's Helm chart (Harbor 2.x on Kubernetes), without touching the network")
    .description(
      [
        "Write values.yaml for goharbor/harbor-helm from a Harbor 2.x inventory: " +
          `cluster.harbor_version (${SUPPORTED_HARBOR2_VERSIONS_TEXT}) plus a kubernetes section (see inventory/example-helm.yaml). ` +
          `The values are for the chart line that deploys that Harbor line (${HARBOR2_CHART_LINES_TEXT}) and set every Harbor ` +
          "image to harbor_version itself. Choose it when Harbor runs on Kubernetes; provision installs on VMs. No network is used.",
        "The values make the chart's deployment highly available and stable:",
        [
          "  - external PostgreSQL and Redis (plain or Sentinel);",
          "  - at least 2 replicas of core, portal, registry, jobservice and trivy (kubernetes.replicas);",
          "  - job logs in the database (jobservice.jobLoggers: [database]);",
          "  - images on one ReadWriteMany claim (storage.type: pvc) or in S3;",
          "  - every secret the chart would regenerate on each render (core secret, CSRF key, token key pair, " +
            "jobservice and registry secrets, registry htpasswd, secretKey) pinned from .harbor-ha/<cluster>/ beside " +
            "the inventory, made once: two runs write the same bytes, and an upgrade restarts nothing. " +
            "kubernetes.existing_secrets references your own secrets instead.",
        ].join("\n"),
        "kubernetes.values passes further chart values through. The chart has no schema and helm ignores a " +
          "misspelled key, so they are checked against the chart's values.yaml: give the chart with --chart (it then " +
          "checks every key written).",
        "The output holds secrets: --out writes it with mode 0600. Without --out it goes to stdout only when that is " +
          "a pipe or a file, never to a terminal.",
        "Exit status:\n  0  written\n  2  bad inventory, chart or usage (nothing written, and the state folder untouched)",
      ].join("\n\n"),
    )
    .argument("<inventory>", "a Harbor 2.x inventory file (YAML)")
    .option("-o, --out <file>", "write the values to this file (mode 0600)")
    .option("--chart <tgz>", "the chart package to check every key against (helm pull harbor/harbor --version <chart>)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  $ harbor-ha helm-values inventory/example-helm.yaml --out values.yaml\n" +
        "Write values.yaml for goharbor/harbor-helm from a Harbor 2.x inventory: " +
          `cluster.harbor_version (${SUPPORTED_HARBOR2_VERSIONS_TEXT}) plus a kubernetes section (see inventory/example-helm.yaml). ` +
          `The values are for the chart line that deploys that Harbor line (${HARBOR2_CHART_LINES_TEXT}) and set every Harbor ` +
          "image to harbor_version itself. Choose it when Harbor runs on Kubernetes; provision installs on VMs. No network is used.",
    )
    .action(async (file: string, opts: { out?: string; chart?: string }) => {
      if (opts.out === undefined && process.stdout.isTTY) {
        throw new UsageError(
          "the values hold secrets (passwords, keys), and stdout is a terminal",
          "Give --out values.yaml (written with mode 0600), or pipe the output into helm or a file.",
        );
      }
      const { inventory, warnings } = await readHarbor2Inventory(file, { target: "kubernetes" });
      process.stderr.write(formatProblems(inventory.path, warnings));
      const line = chartLineOf(inventory);
      const chart = opts.chart === undefined ? undefined : await loadChart(opts.chart, line);
      // Checked with stand-ins first: a bad kubernetes.values leaves the state folder untouched.
      assertBuildable(inventory, buildHelmValues(inventory, placeholderPinnedSecrets(), chart));

      const { state, notes } = await readOrCreateClusterState(inventory);
      for (const note of notes) process.stderr.write(`note: ${note}\n`);
      const chartSecrets = await readOrCreateChartSecrets(clusterStateDir(inventory));
      const built = buildHelmValues(inventory, { cluster: state, chart: chartSecrets }, chart);
      assertBuildable(inventory, built);
      const text = formatHelmValues(built.values, line, {
        inventoryName: basename(inventory.path),
        stateDir: relative(inventory.dir, clusterStateDir(inventory)),
      });

      if (opts.out !== undefined) {
        await writeValuesFile(opts.out, text);
        process.stderr.write(`wrote ${opts.out} (mode 0600, holds secrets): ${describeValues(inventory)}\n`);
      } else {
        process.stdout.write(text);
        process.stderr.write(
          `warning: the values written to stdout hold secrets; keep them out of logs and version control (${describeValues(inventory)})\n`,
        );
      }
    });
}

async function loadChart(path: string, line: ChartLine): Promise<ChartUnderCheck> {
  const chart = await readChartPackage(path);
  const mismatch = chartMismatch(chart, line);
  if (mismatch !== undefined) {
    throw new UsageError(
      `${path} ${mismatch}`,
      `Give a chart of line ${line.line}.x (${helmPullCommand(line)}), or set cluster.harbor_version to a release of the Harbor line that chart deploys.`,
    );
  }
  return { path, version: chart.version, keys: catalogueChartKeys(chart.valuesYaml) };
}

function assertBuildable(inventory: Harbor2Inventory, built: ReturnType<typeof buildHelmValues>): void {
  if (built.problems.length > 0) throw new InventoryError(inventory.path, built.problems);
  if (built.ownKeyProblems.length > 0) throw new InternalError(`values harbor-ha writes are not in the chart: ${built.ownKeyProblems.join("; ")}`);
}

function describeValues(inv: Harbor2Inventory): string {
  const d = inv.data;
  const r = d.kubernetes?.replicas;
  const storage = d.storage.type === "object_store" ? "S3" : "a ReadWriteMany claim";
  const redis = d.redis.sentinel !== undefined ? "Redis Sentinel" : "Redis";
  return (
    `chart ${chartLineOf(inv).line}.x, Harbor ${d.cluster.harbor_version}, ${d.cluster.protocol}://${d.kubernetes?.ingress.host ?? d.cluster.hostname}, ` +
    `replicas core ${r?.core} portal ${r?.portal} registry ${r?.registry} jobservice ${r?.jobservice}` +
    `${d.harbor.with_trivy ? ` trivy ${r?.trivy}` : ""}, external PostgreSQL and ${redis}, ${storage}`
  );
}

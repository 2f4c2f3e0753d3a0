/**
 * Which harbor-helm chart an inventory's values are for: the chart line that deploys its
 * Harbor line (v2/data/lines/), and whether a given chart package is one of it. Pure.
 *
 * A chart deploys the Harbor of its appVersion unless its image tags are set: helm-values sets
 * them to harbor_version (render-values.ts), so any patch release of the line is deployed
 * exactly. A chart of another line is refused: its templates and values are another Harbor's.
 */
import { harbor2LineOf, harbor2LineOfValidVersion } from "../harbor/versions.js";
import type { Harbor2Inventory } from "../inventory/model-v2.js";

export interface ChartLine {
  /** "1.19". */
  line: string;
  /** The release the values were checked with: the one hints name. */
  checked: string;
  /** The Harbor release the values deploy: the inventory's harbor_version. */
  harborVersion: string;
}

export function chartLineOf(inv: Harbor2Inventory): ChartLine {
  const harborVersion = inv.data.cluster.harbor_version;
  return { ...harbor2LineOfValidVersion(harborVersion).chart, harborVersion };
}

/** Why a chart package (its Chart.yaml) is not one the values are for; undefined when it is. */
export function chartMismatch(chart: { name: string; version: string; appVersion: string }, want: ChartLine): string | undefined {
  const deploys = harbor2LineOf(chart.appVersion)?.line ?? `${chart.appVersion || "?"}`;
  const wantedHarborLine = harbor2LineOfValidVersion(want.harborVersion).line;
  if (chart.name !== "harbor") return `is chart ${chart.name || "?"} ${chart.version || "?"}, not goharbor/harbor-helm's harbor`;
  if (!chart.version.startsWith(`${want.line}.`) || deploys !== wantedHarborLine)
    return (
      `is chart harbor ${chart.version || "?"} (Harbor ${chart.appVersion || "?"}); ` +
      `cluster.harbor_version ${want.harborVersion} is deployed by chart line ${want.line}.x (Harbor ${wantedHarborLine}.x)`
    );
  return undefined;
}

/** `helm pull` for the chart release the values were checked with. */
export function helmPullCommand(c: ChartLine): string {
  return `helm pull harbor/harbor --version ${c.checked}`;
}

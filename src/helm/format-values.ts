/**
 * Values → the YAML text of values.yaml. The one place Secrets are revealed, because the file
 * is what helm reads. Stable: no timestamp, keys in the order harbor-ha writes them, no line
 * folding, so two runs over the same inventory and state folder give the same bytes.
 */
import { stringify } from "yaml";
import type { ChartLine } from "./chart-line.js";
import { Secret } from "../inventory/secret.js";
import type { HelmValue, HelmValues } from "./render-values.js";

export function formatHelmValues(values: HelmValues, chart: ChartLine, from: { inventoryName: string; stateDir: string }): string {
  const header = [
    `# Values for goharbor/harbor-helm ${chart.line}.x (checked with ${chart.checked}), deploying Harbor ${chart.harborVersion}, ` +
      `written by \`harbor-ha helm-values\` from ${from.inventoryName}.`,
    `# Edit the inventory, not this file. It holds secrets pinned from ${from.stateDir}: keep it out of version control.`,
    `#   helm upgrade --install harbor harbor/harbor --version ${chart.checked} --namespace harbor -f <this file>`,
  ];
  return `${header.join("\n")}\n${stringify(reveal(values), { lineWidth: 0, minContentWidth: 0 })}`;
}

function reveal(value: HelmValue | unknown): unknown {
  if (value instanceof Secret) return value.reveal();
  if (Array.isArray(value)) return value.map(reveal);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

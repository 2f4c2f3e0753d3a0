/**
 * The whole of helm-values between reading and writing, pure: the values harbor-ha writes,
 * the operator's kubernetes.values merged in, and every key checked against the chart's
 * values.yaml when the chart is at hand. Problems carry the inventory path they come from.
 */
import { chartLineOf, helmPullCommand } from "./chart-line.js";
import type { InventoryProblem } from "../errors.js";
import type { Harbor2Inventory } from "../inventory/model-v2.js";
import { formatPath } from "../inventory/problems.js";
import { Secret } from "../inventory/secret.js";
import { findUnknownValueKeys } from "./chart-keys.js";
import type { ChartKeyNode } from "./chart-keys.js";
import { mergePassthroughValues } from "./merge-values.js";
import { renderHelmValues } from "./render-values.js";
import type { HelmValues, PinnedSecrets } from "./render-values.js";

export interface ChartUnderCheck {
  /** The package's path, for messages. */
  path: string;
  version: string;
  keys: ChartKeyNode;
}

export interface BuiltValues {
  values: HelmValues;
  /** Errors: nothing may be written when there is one. */
  problems: InventoryProblem[];
  /** Errors in harbor-ha's own keys: a bug, or a chart it does not target. */
  ownKeyProblems: string[];
}

const PASSTHROUGH: string[] = ["kubernetes", "values"];

export function buildHelmValues(inv: Harbor2Inventory, pinned: PinnedSecrets, chart: ChartUnderCheck | undefined): BuiltValues {
  const generated = renderHelmValues(inv, pinned);
  const passthrough = inv.data.kubernetes?.values ?? {};
  const { values, conflicts } = mergePassthroughValues(generated, passthrough);
  const problems: InventoryProblem[] = conflicts.map((c) => error([...PASSTHROUGH, ...c.path], c.message));
  const ownKeyProblems: string[] = [];
  if (chart !== undefined) {
    for (const u of findUnknownValueKeys(passthrough, chart.keys))
      problems.push(error([...PASSTHROUGH, ...u.path], `${u.message} (chart ${chart.version}, ${chart.path})`));
    for (const u of findUnknownValueKeys(generated, chart.keys)) ownKeyProblems.push(`${u.path.join(".")} ${u.message}`);
  } else if (Object.keys(passthrough).length > 0) {
    problems.push(
      error(
        PASSTHROUGH,
        `can only be checked against the chart itself (it has no schema, ` +
          `and helm ignores a misspelled key): give the chart package with --chart ` +
          `(${helmPullCommand(chartLineOf(inv))})`,
      ),
    );
  }
  return { values, problems, ownKeyProblems };
}

function error(at: string[], message: string): InventoryProblem {
  return { path: formatPath(at), message, severity: "error" };
}

/**
 * Stand-ins for the pinned secrets, for a first pass that checks the inventory's values before
 * the state folder is touched: bad input changes nothing. Never written anywhere.
 */
export function placeholderPinnedSecrets(): PinnedSecrets {
  const s = new Secret("placeholder", "placeholder");
  return {
    cluster: { secretkey: s, tokenPrivateKey: s, tokenCertificatePem: "placeholder" },
    chart: { coreSecret: s, csrfKey: s, jobserviceSecret: s, registryHttpSecret: s, registryPassword: s, registryHtpasswd: s },
  };
}

/** reconfigure's and rotate-certs' --json: the roll as data (batches, nodes, hosts and their steps), secrets masked. */
import type { Redactor } from "../../inventory/secret.js";
import { rollOutcomes, summarizeRoll } from "../../roll/report.js";
import type { ReconfigureResult } from "../../roll/reconfigure.js";
import { redactedJson, stepJson } from "./json.js";

/** --json: the run as data, secrets masked. */
export function formatRollJson(
  r: ReconfigureResult | undefined,
  base: { command: string; inventory: string; dryRun: boolean },
  error: { message: string; hint?: string } | undefined,
  redactor: Redactor,
): string {
  const report = {
    ...base,
    ok: error === undefined,
    changed: r?.changed ?? false,
    batches: r?.batches ?? [],
    nodes: r ? summarizeRoll(r) : undefined,
    hosts: r
      ? rollOutcomes(r).map((o) => ({
          ...o,
          steps: r.plan.hosts.find((h) => h.host.name === o.host)?.steps.map((s) => stepJson(s)) ?? [],
        }))
      : [],
    vipHolder: r?.vipHolder,
    resume: error ? `harbor-ha ${base.command} ${base.inventory}` : undefined,
    error,
  };
  return redactedJson(report, r?.redactor ?? redactor);
}

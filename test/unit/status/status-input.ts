/** The example cluster as status would gather it healthy: every host as rendered, every check.sh passing, no IPVS. */
import type { StatusInput } from "../../../src/status/report.js";
import type { NodeHealthFromLb } from "../../../src/status/types.js";
import { desired, factsOfAll, inv, matchingFacts } from "../../support/example.js";

export const lbs = inv.data.load_balancers.map((l) => l.name);
export const nodes = inv.data.harbor_nodes.map((n) => n.name);
export const allChecksOk: NodeHealthFromLb[] = lbs.flatMap((lb) => nodes.map((node) => ({ lb, node, ok: true, detail: "" })));

export function healthyInput(): StatusInput {
  return {
    inv,
    desired,
    facts: factsOfAll(matchingFacts),
    failures: new Map(),
    checks: allChecksOk,
    modeReading: { ipvs: new Map(lbs.map((l) => [l, null])) },
  };
}

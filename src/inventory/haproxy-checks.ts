/**
 * The values load_balancing: haproxy writes into haproxy.cfg, each checked as the word its
 * keyword reads (formats/haproxy.ts): node names as server names, the hostname as a Host
 * header (log-format) and a TLS name, the node addresses as server addresses, the cluster's
 * and load balancers' names in comments. Pure, over the sections that parsed; lvs-dr writes
 * no haproxy.cfg, so nothing is checked there.
 */
import { haproxyLogFormatProblem, haproxyNameProblem, haproxyWordProblem } from "../formats/haproxy.js";
import { controlCharProblem } from "../formats/text.js";
import { problemError } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";
import type { ParsedSections } from "./parsed-sections.js";

export type HaproxySections = Pick<ParsedSections, "cluster" | "load_balancers" | "harbor_nodes" | "load_balancing">;

export function checkHaproxyValues(d: HaproxySections): ProblemDraft[] {
  if (d.load_balancing !== "haproxy") return [];
  const comment = (v: string) => controlCharProblem(v, "haproxy.cfg (a comment ends at the line's end)");
  const values: Array<{ at: PathSegment[]; value: string | undefined; problemOf: (v: string) => string | undefined }> = [
    { at: ["cluster", "name"], value: d.cluster?.name, problemOf: comment },
    { at: ["cluster", "hostname"], value: d.cluster?.hostname, problemOf: haproxyLogFormatProblem },
    ...(d.load_balancers ?? []).map((lb, i) => ({ at: ["load_balancers", i, "name"] as PathSegment[], value: lb?.name, problemOf: comment })),
    ...(d.harbor_nodes ?? []).flatMap((n, i) => [
      { at: ["harbor_nodes", i, "name"] as PathSegment[], value: n?.name, problemOf: haproxyNameProblem },
      { at: ["harbor_nodes", i, "address"] as PathSegment[], value: n?.address, problemOf: haproxyWordProblem },
    ]),
  ];
  return values.flatMap(({ at, value, problemOf }) => {
    const problem = value === undefined ? undefined : problemOf(value);
    return problem === undefined ? [] : [problemError(at, `as written to haproxy.cfg (load_balancing: haproxy), ${problem}`)];
  });
}

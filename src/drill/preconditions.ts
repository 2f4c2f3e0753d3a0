/**
 * When a failover drill may start, and how its result reads. Pure: the drill stops
 * keepalived on the VIP holder, so it refuses unless the cluster can take that.
 */
import type { HostFacts } from "../facts/types.js";
import { HarborHaError } from "../errors.js";

export interface DrillReport {
  vip: string;
  /** The load balancer whose keepalived was stopped. */
  stoppedOn: string;
  /** The load balancer that took the VIP; undefined when none did in time. */
  newHolder?: string;
  /** From stopping keepalived until another load balancer held the VIP. */
  takeoverMs?: number;
  /** From stopping keepalived until the VIP answered on TCP (a connection or a refusal). */
  answerMs?: number;
  /** Where the VIP was probed from: "operator" (this machine) or a load balancer's name. */
  answeredFrom?: string;
  /** The TCP port probed (the first served port). */
  answerPort?: number;
  /** load_balancing: haproxy: the client request that measured the move, instead of a TCP probe. */
  answerProbe?: string;
  /** The requests made from the stop until one was answered, and how many of them failed. */
  requests?: { made: number; failed: number };
  /** keepalived runs on every load balancer again and exactly one holds the VIP. */
  restored: boolean;
  /** The VIP holder after the restore. */
  holderAfter?: string;
  /** What went wrong, if anything (the drill still restored what it could). */
  problems: string[];
}

/**
 * The single VIP holder, when every load balancer answered, runs keepalived, and
 * exactly one holds the VIP; otherwise a refusal saying what to fix first.
 */
export function checkDrillPreconditions(
  lbs: readonly string[],
  vip: string,
  facts: ReadonlyMap<string, HostFacts>,
  failures: ReadonlyMap<string, Error>,
): string {
  const refuse = (why: string, hint: string) => new HarborHaError(`failover drill refused: ${why}; nothing was changed`, { hint });
  if (lbs.length < 2)
    throw refuse(
      `the inventory has ${lbs.length} load balancer${lbs.length === 1 ? "" : "s"}: there is nothing to fail over to`,
      "Add a second load balancer to the inventory and provision it.",
    );
  const unreachable = lbs.filter((l) => failures.has(l) || !facts.has(l));
  if (unreachable.length > 0)
    throw refuse(
      `cannot read ${unreachable.join(", ")}: ${unreachable.map((l) => failures.get(l)?.message ?? "no facts").join("; ")}`,
      "Every load balancer must be reachable over SSH before a drill.",
    );
  const stopped = lbs.filter((l) => facts.get(l)?.keepalived?.running !== true);
  if (stopped.length > 0)
    throw refuse(
      `keepalived is not running on ${stopped.join(", ")}`,
      "Start it there (or run harbor-ha provision), check harbor-ha status, then drill.",
    );
  const holders = lbs.filter((l) => facts.get(l)?.vips[vip] === true);
  if (holders.length !== 1) {
    throw refuse(
      holders.length === 0 ? `no load balancer holds the VIP ${vip}` : `${holders.length} load balancers hold the VIP ${vip} (${holders.join(", ")})`,
      "Fix the VIP first (harbor-ha status shows what is wrong); a drill needs exactly one holder.",
    );
  }
  return holders[0] as string;
}

export function formatDrillReport(r: DrillReport): string {
  const lines = [`Failover drill on VIP ${r.vip}: stopped keepalived on ${r.stoppedOn}.`];
  lines.push(r.newHolder ? `  ${r.newHolder} took the VIP after ${r.takeoverMs} ms.` : "  No other load balancer took the VIP in time.");
  const from = r.answeredFrom === "operator" ? "this machine" : r.answeredFrom;
  const probe = r.answerProbe !== undefined ? `${r.answerProbe} was answered 200` : `The VIP answered on TCP port ${r.answerPort ?? "?"}`;
  lines.push(r.answerMs !== undefined ? `  ${probe} (from ${from}) after ${r.answerMs} ms.` : "  The VIP did not answer in time.");
  if (r.requests) lines.push(`  Requests through the VIP from the stop until then: ${r.requests.made} made, ${r.requests.failed} failed.`);
  lines.push(
    r.restored
      ? `  Restored: keepalived runs on every load balancer again; the VIP is held by ${r.holderAfter}.`
      : "  NOT restored: see the problems below.",
  );
  for (const p of r.problems) lines.push(`  problem: ${p}`);
  return lines.join("\n") + "\n";
}

/** The drill's audit line. */
export function describeDrill(r: DrillReport): string {
  return (
    `stopped keepalived on ${r.stoppedOn}; ` +
    (r.newHolder ? `${r.newHolder} took the VIP in ${r.takeoverMs} ms` : "no takeover") +
    (r.answerMs !== undefined ? `, VIP answered in ${r.answerMs} ms` : ", VIP silent") +
    (r.requests ? ` (${r.requests.failed} of ${r.requests.made} requests failed)` : "") +
    (r.restored ? `; restored, VIP on ${r.holderAfter}` : "; NOT restored")
  );
}

/**
 * The failover drill: stops keepalived on the VIP holder, measures how long until
 * another load balancer holds the VIP and until the VIP answers, then starts
 * keepalived again (always, in a finally) and waits for exactly one holder. Under the
 * cluster lock; an audit line on every load balancer.
 */
import { connect } from "node:net";
import type { Inventory } from "../inventory/model.js";
import { servedPorts, vipParts } from "../inventory/model.js";
import { modeOf } from "../lb/modes.js";
import { describeVipRequest, requestThroughVip, vipRequestCommand } from "./vip-request.js";
import { SshPool } from "../remote/pool.js";
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import type { FactQuery } from "../facts/queries.js";
import { gatherAllFacts } from "../gather/facts.js";
import { gatherVipHolders, verifySingleVipHolder } from "../gather/verify.js";
import { pollUntil, realClock } from "../time/poll.js";
import type { Clock } from "../time/poll.js";
import { serviceCommand } from "../steps/commands.js";
import type { InitSystem } from "../steps/commands.js";
import { checkDrillPreconditions, describeDrill } from "./preconditions.js";
import type { DrillReport } from "./preconditions.js";
import { openClusterPool } from "../run/cluster-run.js";
import type { RunEdges } from "../run/cluster-run.js";
import { withClusterRun } from "../run/with-cluster-run.js";
import type { EmitEvent } from "../events.js";
import type { HostKeyAccepted } from "../remote/host-keys.js";
import { HarborHaError } from "../errors.js";

/** `connect`: SSH unless given (the unit tests give fake hosts). */
export interface DrillOptions extends Pick<RunEdges, "connect"> {
  acceptNewHostKeys: boolean;
  /** A host key trusted on first use, to report with its fingerprint. */
  onHostKeyAccepted?: (accepted: HostKeyAccepted) => void;
  forceUnlock: boolean;
  /** Progress for the operator, as notes of the run's event stream ("stopping keepalived on lb1"). */
  emit?: EmitEvent;
  /** Ctrl-C: checked before the lock is taken (once keepalived is stopped, the drill always restores it). */
  isInterrupted?: () => boolean;
  /** The drill's waits and its measured times (a fake clock in unit tests); the real one by default. */
  clock?: Clock;
  /**
   * --limit: the load balancers the drill may stop keepalived on, by name. Every load balancer is
   * still read (the preconditions judge them all); a VIP holder outside the limit refuses the drill.
   */
  limit?: readonly string[];
}

/** After the restart, the time the restarted holder may take to claim the VIP back (preemption): three adverts and a second. */
export function vrrpSettleMs(inv: Inventory): number {
  return (3 * inv.data.keepalived.advert_int + 1) * 1000;
}

/** How often the drill looks for the new holder and pings the VIP. */
const PROBE_INTERVAL_MS = 100;

/** Exit status of vipProbeCommand when nothing answered (timeout's own). */
const NO_ANSWER_EXIT = 124;

/** The same probe run on a host: bash's /dev/tcp; a refusal exits 1 at once, silence times out (124). */
export function vipProbeCommand(address: string, port: number): Command {
  return cmd("timeout", "1", "bash", "-c", 'exec 3<>"/dev/tcp/$0/$1"', address, String(port));
}

export async function runFailoverDrill(inv: Inventory, opts: DrillOptions): Promise<DrillReport> {
  const vip = vipParts(inv).address;
  const lbs = inv.data.load_balancers.map((l) => l.name);
  const note = (message: string) => opts.emit?.({ type: "note", level: "info", message });
  const clock = opts.clock ?? realClock;
  const pool = openClusterPool(inv, opts, inv.data.load_balancers);
  // Audit lines not written and a lock not released are the drill's problems, reported with it.
  const problems: string[] = [];
  const settings = {
    command: "failover-drill",
    forceUnlock: opts.forceUnlock,
    isInterrupted: opts.isInterrupted ?? (() => false),
    preflight: "the drill's preflight",
    notice: note,
    warn: (message: string) => problems.push(message),
  };
  return withClusterRun(pool, inv, settings, async (cluster) => {
    const queries: FactQuery[] = [{ kind: "keepalived" }, { kind: "vip", address: vip }];
    const before = await gatherAllFacts(pool, new Map(lbs.map((l) => [l, queries])));
    const holder = checkDrillPreconditions(lbs, vip, before.facts, before.failures);
    if (opts.limit && !opts.limit.includes(holder))
      throw new HarborHaError(`failover drill refused: the VIP holder ${holder} is outside --limit (${opts.limit.join(", ")}); nothing was changed`, {
        hint: `The drill stops keepalived on the VIP holder: include ${holder} in --limit, or run without it.`,
      });
    const init = before.facts.get(holder)?.init ?? "sysv";
    return cluster.changing(async (audit) => {
      const report: DrillReport = { vip, stoppedOn: holder, restored: false, problems };
      try {
        const measure = modeOf(inv).drill === "requests" ? measureWithRequests : measureFailover;
        await measure({ pool, inv, holder, init, report, note, clock });
      } finally {
        await restoreKeepalived({ pool, inv, holder, init, report, note, clock });
        for (const lb of lbs) audit.record(lb, [describeDrill(report)]);
      }
      return report;
    });
  });
}

/** What a measurement works with: the run's pool, the VIP holder to stop, and the report it fills. */
interface Measurement {
  pool: SshPool;
  inv: Inventory;
  holder: string;
  init: InitSystem;
  report: DrillReport;
  note: (m: string) => void;
  clock: Clock;
}

/** lvs-dr: the takeover, then TCP answers at the VIP. */
async function measureFailover({ pool, inv, holder, init, report, note, clock }: Measurement): Promise<void> {
  const vip = report.vip;
  const port = servedPorts(inv)[0] ?? 443;
  const fromOperator = await probeFromHere(vip, port);
  note(`stopping keepalived on ${holder}`);
  const t0 = await stopKeepalived(pool, holder, init, clock);
  const takeoverTimeoutMs = (3 * inv.data.keepalived.advert_int + 5) * 1000;
  const probe = { firstIntervalMs: PROBE_INTERVAL_MS, maxIntervalMs: PROBE_INTERVAL_MS };
  const newHolder = await takeoverBy(pool, inv, holder, takeoverTimeoutMs, clock);
  if (newHolder === undefined) {
    report.problems.push(`no other load balancer held the VIP ${takeoverTimeoutMs / 1000} s after keepalived stopped on ${holder}`);
    return;
  }
  report.newHolder = newHolder;
  report.takeoverMs = clock.now() - t0;
  note(`${newHolder} holds the VIP after ${report.takeoverMs} ms`);
  // From this machine when it reaches the VIP (that also proves the ARP move); else from the new holder.
  report.answeredFrom = fromOperator ? "operator" : newHolder;
  report.answerPort = port;
  const answers = fromOperator
    ? () => probeFromHere(vip, port)
    : () => pool.withSession(newHolder, async (s) => (await s.run(vipProbeCommand(vip, port), { step: "probe the VIP" })).code !== NO_ANSWER_EXIT);
  const answered = await pollUntil(async () => ((await answers()) ? true : undefined), { timeoutMs: 10_000, ...probe }, clock);
  if (answered) report.answerMs = clock.now() - t0;
  else
    report.problems.push(
      `the VIP ${vip} did not answer on TCP port ${port} from ${fromOperator ? "this machine" : newHolder} within 10 s of the takeover`,
    );
}

/**
 * load_balancing: haproxy: real client requests through the VIP (HTTPS, the certificate
 * verified) one after the other from the stop until one is answered 200 again, counted.
 * From this machine when it reaches the VIP, else from the load balancer that was not stopped.
 */
async function measureWithRequests({ pool, inv, holder, init, report, note, clock }: Measurement): Promise<void> {
  const other = inv.data.load_balancers.map((l) => l.name).find((l) => l !== holder) as string;
  const fromOperator = (await requestThroughVip(inv)) === 200;
  const request = fromOperator
    ? () => requestThroughVip(inv)
    : () =>
        pool.withSession(other, async (s) => Number((await s.run(vipRequestCommand(inv), { step: "request through the VIP" })).stdout.trim()) || 0);
  if (!fromOperator && (await request()) !== 200) {
    report.problems.push(
      `${describeVipRequest(inv)} is not answered 200 before the drill, ` +
        `from this machine or ${other}: nothing to measure (harbor-ha status shows why)`,
    );
    return;
  }
  report.answeredFrom = fromOperator ? "operator" : other;
  report.answerProbe = describeVipRequest(inv);
  report.requests = { made: 0, failed: 0 };
  const requests = report.requests;
  note(`stopping keepalived on ${holder}; requests through the VIP until one is answered again`);
  const t0 = await stopKeepalived(pool, holder, init, clock);
  const deadline = t0 + (3 * inv.data.keepalived.advert_int + 15) * 1000;
  const takeover = takeoverBy(pool, inv, holder, deadline - t0, clock).then((h) => {
    if (h !== undefined) Object.assign(report, { newHolder: h, takeoverMs: clock.now() - t0 });
  });
  while (clock.now() < deadline) {
    requests.made++;
    if ((await request()) === 200) {
      report.answerMs = clock.now() - t0;
      break;
    }
    requests.failed++;
    await clock.sleep(PROBE_INTERVAL_MS);
  }
  await takeover;
  if (report.answerMs === undefined)
    report.problems.push(
      `no request through the VIP was answered 200 within ${Math.round((deadline - t0) / 1000)} s of the stop (${requests.made} made)`,
    );
  else note(`answered again after ${report.answerMs} ms (${requests.failed} of ${requests.made} requests failed)`);
}

/** Stops keepalived on the VIP holder, the drill's one disruption; the time it was asked to stop. */
async function stopKeepalived(pool: SshPool, holder: string, init: InitSystem, clock: Clock): Promise<number> {
  const t0 = clock.now();
  await pool.withSession(holder, (s) =>
    s.runChecked(serviceCommand(init, "keepalived", "stop"), { sudo: true, step: "stop keepalived (failover drill)" }),
  );
  return t0;
}

/** The load balancer other than `holder` that holds the VIP within `timeoutMs`, looked at every PROBE_INTERVAL_MS. */
function takeoverBy(pool: SshPool, inv: Inventory, holder: string, timeoutMs: number, clock: Clock): Promise<string | undefined> {
  return pollUntil(
    async () => (await gatherVipHolders(pool, inv)).find((h) => h !== holder),
    { timeoutMs, firstIntervalMs: PROBE_INTERVAL_MS, maxIntervalMs: PROBE_INTERVAL_MS },
    clock,
  );
}

/** Starts keepalived again on the stopped holder, lets VRRP settle, and checks that the cluster is whole. */
async function restoreKeepalived({ pool, inv, holder, init, report, note, clock }: Measurement): Promise<void> {
  const lbs = inv.data.load_balancers.map((l) => l.name);
  try {
    // The init script's stop returns before keepalived has exited; a start before that is a no-op ("already running").
    const gone = await pollUntil(
      async () => ((await keepalivedRunning(pool, holder)) ? undefined : true),
      { timeoutMs: 15_000, firstIntervalMs: PROBE_INTERVAL_MS, maxIntervalMs: 500 },
      clock,
    );
    if (!gone) report.problems.push(`keepalived on ${holder} was still exiting 15 s after the stop`);
    note(`starting keepalived on ${holder} again`);
    // Straight to the session: a Ctrl-C must not stop the restore.
    await (
      await pool.session(holder)
    ).runChecked(serviceCommand(init, "keepalived", "start"), { sudo: true, step: "start keepalived (failover drill restore)" });
    // The restarted holder may take the VIP back (preemption) within a few adverts: wait for that first.
    await clock.sleep(vrrpSettleMs(inv));
    report.holderAfter = await verifySingleVipHolder(pool, inv);
    const after = await gatherAllFacts(pool, new Map(lbs.map((l) => [l, [{ kind: "keepalived" } as FactQuery]])));
    const notRunning = lbs.filter((l) => after.facts.get(l)?.keepalived?.running !== true);
    if (notRunning.length > 0)
      report.problems.push(`keepalived is not running on ${notRunning.join(", ")} after the restore: start it there by hand`);
    else report.restored = true;
  } catch (err) {
    report.problems.push(`restore: ${(err as Error).message} — start keepalived on ${holder} by hand and check harbor-ha status`);
  }
}

async function keepalivedRunning(pool: SshPool, host: string): Promise<boolean> {
  const r = await gatherAllFacts(pool, new Map([[host, [{ kind: "keepalived" } as FactQuery]]]));
  return r.facts.get(host)?.keepalived?.running === true;
}

/**
 * Whether the VIP answers TCP: a connection OR a refusal (RST) both prove that a host owns
 * the address now; silence does not. TCP rather than ping: ping is often not installed,
 * and the served port is what clients use.
 */
function probeFromHere(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED"));
  });
}

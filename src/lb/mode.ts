/**
 * A load-balancing mode: how the VIP holder spreads TCP 80/443 over the Harbor nodes, and
 * everything that differs because of it — what the load balancers and the nodes get, the
 * steps that start its service, what the preflight checks, how a node is taken out of
 * service and back, what status reads, what the failover drill measures, and which switch
 * from the mode found on the load balancers it allows. keepalived holds the VIP in every
 * mode; the common parts (VRRP, check.sh, the health gate) stay with their callers.
 *
 * One module per mode (lb/lvs-dr/, lb/haproxy/), each the whole mode; lb/modes.ts picks the
 * inventory's. The run-time parts (drain, status) reach the load balancers only through the
 * LbShell the engine hands them, so a mode imports nothing that does I/O.
 */
import type { Inventory } from "../inventory/model.js";
import type { DesiredFile, Handler, NodeHealthTest } from "../desired/types.js";
import type { TemplateSet } from "../desired/templates.js";
import type { HaproxyServerStat } from "../facts/haproxy-stat.js";
import type { IpvsService } from "../facts/ipvs.js";
import type { FactQuery } from "../facts/queries.js";
import type { HostFacts } from "../facts/types.js";
import type { Command } from "../shell/command.js";
import type { Step } from "../steps/types.js";
import type { Clock } from "../time/poll.js";

export type LoadBalancingName = "lvs-dr" | "haproxy";

/** A problem the preflight finds on a load balancer, in the mode's own words. */
export interface ModeProblem {
  message: string;
  hint: string;
}

/** The keepalived.conf parts that depend on the mode (keepalived.conf.hbs). */
export interface KeepalivedParts {
  /** LVS virtual servers, one per served port (lvs-dr); none when another daemon balances. */
  virtualServers: Array<{ port: number }>;
  /** A vrrp_script that gives the VIP up while the balancing daemon does not answer; false when none. */
  vrrpScript: { scriptName: string; aliveCommand: string; intervalS: number; timeoutS: number; fall: number; rise: number } | false;
}

/** What the common load-balancer render asks the mode: its packages, files and the words of its plans. */
export interface LbRenderParts {
  packages: string[];
  keepalived: KeepalivedParts;
  /** Files the mode adds, after the common ones (`caPath`: the CA the health checks verify with, if any). */
  files(lbName: string, caPath: string | undefined, healthTest: NodeHealthTest, tpl: TemplateSet): DesiredFile[];
  /** Handlers a change of the CA file needs (the balancing daemon re-reads it). */
  caHandlers: Handler[];
  describe: { keepalivedConf: string; checkSh: string; ca: string; sysctl: string };
}

/** The Harbor node's part: what lets it receive the mode's traffic. */
export interface NodeParts {
  packages: string[];
  files(tpl: TemplateSet): DesiredFile[];
  /** Facts the node steps need. */
  queries(): FactQuery[];
  /** Steps that put the node's rules in place (or remove a former mode's); `changed`: the rules' files changed this run. */
  steps(host: string, f: HostFacts, changed: { files: boolean; pending: boolean }): Step[];
}

/** The run-time reach of a mode: a command as root on each load balancer, answered per host. */
export interface LbShell {
  readonly lbNames: readonly string[];
  /** On every load balancer at once; throws naming each that failed (`what`: the sentence for it). */
  runOnEach(command: (lb: string) => Command | undefined, step: string, what: string): Promise<Map<string, string>>;
  /** On every load balancer at once; stdout where the command exited 0, undefined elsewhere. Never throws. */
  tryOnEach(command: Command, step: string): Promise<Map<string, string | undefined>>;
  /** A small root-owned file, written atomically on every load balancer; throws naming each that failed. */
  writeOnEach(file: { path: string; content: string; mode: number }, step: string, what: string): Promise<void>;
}

export interface RollNodeRef {
  name: string;
  address: string;
}

export interface DrainContext {
  shell: LbShell;
  clock: Clock;
  /** The command under way (reconfigure, rotate-certs), written into lvs-dr's drain marker. */
  command: string;
  /** Told of what the operator should know but that does not stop the run. */
  note?: (message: string) => void;
}

/** What `status` reads of the load balancers for the mode, per load balancer (null: could not be read there). */
export interface LbStatusReading {
  /** lvs-dr: the IPVS table (null where IPVS is not in use). */
  ipvs?: Map<string, IpvsService[] | null>;
  /** haproxy: each backend server's state and sessions from the runtime API. */
  haproxy?: Map<string, HaproxyServerStat[] | null>;
}

/**
 * What a mode leaves behind when the inventory chooses another: found by its queries, then
 * removed (a node's VIP rules) or the switch refused (HAProxy still serving).
 */
export interface Leftovers {
  lbQueries: readonly FactQuery[];
  /** Why switching away from this mode is refused on this load balancer, if it is. */
  lbProblems(f: HostFacts): ModeProblem[];
  nodeQueries: readonly FactQuery[];
  /** Steps removing what it left on a node. */
  nodeSteps(host: string, f: HostFacts): Step[];
}

export interface LoadBalancingMode {
  readonly name: LoadBalancingName;
  readonly lb: LbRenderParts;
  readonly node: NodeParts;
  /** Facts asked of each load balancer besides the common ones. */
  lbQueries(): FactQuery[];
  /** Steps after the load balancer's files: the balancing daemon started, reloaded and checked (none for lvs-dr). */
  lbServiceSteps(host: string, f: HostFacts, handlers: ReadonlySet<Handler>, pending: ReadonlySet<Handler>): Step[];
  /**
   * The node addresses a load balancer sends traffic to now, from its configuration in the facts
   * (`all`: the inventory's nodes, what a configuration as rendered serves).
   */
  servedAddresses(f: HostFacts, all: readonly string[]): string[];
  /**
   * The node addresses this load balancer holds out of service now, from the facts (lvs-dr: the
   * drain markers; haproxy: servers drained or in maintenance in HAProxy's runtime state),
   * whoever drained them: a roll killed before its undrain leaves one, and so does an operator.
   */
  drainedAddresses(f: HostFacts): string[];
  /** Preflight problems of one load balancer: its daemon's release, a switch this mode refuses. */
  lbProblems(f: HostFacts): ModeProblem[];
  /** Takes a node out of every load balancer and waits until no new connection reaches it. */
  drain(ctx: DrainContext, node: RollNodeRef): Promise<void>;
  /** Puts it back and waits until every load balancer sends it new connections again. */
  undrain(ctx: DrainContext, node: RollNodeRef): Promise<void>;
  /** Forgets a node the load balancers no longer serve (scale in): its drain state cleared, nothing waited for. */
  forget(ctx: DrainContext, node: RollNodeRef): Promise<void>;
  /** What status reads of the load balancers. */
  readStatus(shell: LbShell): Promise<LbStatusReading>;
  /** What this mode leaves behind when another is chosen. */
  readonly leftovers: Leftovers;
  /** The failover drill: "requests" counts real HTTPS requests through the VIP; "vip" times the VIP's move and a TCP answer. */
  readonly drill: "requests" | "vip";
}

/** What a mode module exports: its mode for an inventory. */
export type ModeFactory = (inv: Inventory) => LoadBalancingMode;

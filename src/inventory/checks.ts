/**
 * The rules that span sections of the inventory, which no field's schema can see:
 * unique names and addresses, the VIP against the load balancers, distinct VRRP
 * priorities, what https and Clair need; harbor.cfg keys and values, and what the chosen
 * Harbor release cannot do (harbor-cfg-checks.ts, harbor-release-checks.ts).
 *
 * Pure, and given only the sections that parsed: each check runs when its
 * sections are there, so the operator sees every problem in one run.
 */
import { checkHarborCfg } from "./harbor-cfg-checks.js";
import { checkHarborRelease } from "./harbor-release-checks.js";
import { checkInstallDir } from "./path-checks.js";
import { checkVipAddress } from "./address-checks.js";
import { checkHaproxyValues } from "./haproxy-checks.js";
import { JOB_LOGS_PATH, REGISTRY_DATA_PATH } from "../harbor/v1/data/layout.js";
import { effectivePriorities } from "./model.js";
import { formatPath, problemError, problemWarning } from "./problems.js";
import type { PathSegment, ProblemDraft } from "./problems.js";
import type { LoadBalancerSpec } from "./schema.js";
import type { ParsedSections, SectionState } from "./parsed-sections.js";

export type { ParsedSections, Salvaged, SectionState } from "./parsed-sections.js";

/**
 * `d` holds what parsed. A check that would be misled by a missing field (a priority that
 * was invalid looks like one not given) runs only over complete sections; `present` keeps an
 * invalid `tls` from being reported as a missing one too.
 */
export function checkInventory(d: ParsedSections, state: SectionState): ProblemDraft[] {
  return [
    ...checkVmTopology(d, state.complete),
    ...checkTlsPresence(d, state.present),
    ...checkClair(d, state.present),
    ...checkClusterSize(d),
    ...checkTunnel(d),
    ...checkHarborCfg(d),
    ...checkHarborRelease(d),
    ...checkInstallDir(d.installer?.install_dir, [REGISTRY_DATA_PATH, JOB_LOGS_PATH]),
    ...checkVipAddress(d.cluster?.vip, [
      { at: ["database", "host"], host: d.database?.host },
      { at: ["redis", "host"], host: d.redis?.host },
      { at: ["clair_db", "host"], host: d.clair_db?.host },
      { at: ["storage", "server"], host: d.storage?.type === "nfs" ? d.storage.server : undefined },
      { at: ["ssh", "jump_host", "address"], host: d.ssh?.jump_host ? d.ssh.jump_host.address : undefined },
    ]),
  ];
}

/** The VMs' own rules, shared by both generations: unique hosts, the VIP on the load balancers' subnet, distinct priorities. */
export function checkVmTopology(
  d: Pick<ParsedSections, "cluster" | "load_balancers" | "harbor_nodes"> & Partial<Pick<ParsedSections, "load_balancing">>,
  complete: ReadonlySet<string>,
): ProblemDraft[] {
  return [
    ...checkHostsUnique(d),
    ...checkHaproxyValues(d),
    ...checkVip(d),
    ...(complete.has("load_balancers") && d.load_balancers !== undefined ? checkPriorities(d.load_balancers as LoadBalancerSpec[]) : []),
  ];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

type VmSections = Pick<ParsedSections, "cluster" | "load_balancers" | "harbor_nodes">;

interface HostEntry {
  at: PathSegment[];
  name: string | undefined;
  address: string | undefined;
}

function hostEntries(d: VmSections): HostEntry[] {
  return [
    ...(d.load_balancers ?? []).map((h, i) => ({ at: ["load_balancers", i] as PathSegment[], name: h?.name, address: h?.address })),
    ...(d.harbor_nodes ?? []).map((h, i) => ({ at: ["harbor_nodes", i] as PathSegment[], name: h?.name, address: h?.address })),
  ];
}

function checkHostsUnique(d: VmSections): ProblemDraft[] {
  const problems: ProblemDraft[] = [];
  const firstByName = new Map<string, HostEntry>();
  const firstByAddress = new Map<string, HostEntry>();
  for (const h of hostEntries(d)) {
    const sameName = h.name === undefined ? undefined : firstByName.get(h.name);
    if (sameName)
      problems.push(
        problemError(
          [...h.at, "name"],
          `duplicate host name "${h.name}" (also ${formatPath(sameName.at)}); give every load balancer and Harbor node its own name`,
        ),
      );
    else if (h.name !== undefined) firstByName.set(h.name, h);
    const sameAddress = h.address === undefined ? undefined : firstByAddress.get(h.address);
    if (sameAddress)
      problems.push(
        problemError(
          [...h.at, "address"],
          `duplicate address ${h.address} (also ${sameAddress.name}, ${formatPath(sameAddress.at)}); every host needs its own address`,
        ),
      );
    else if (h.address !== undefined) firstByAddress.set(h.address, h);
  }
  return problems;
}

function checkVip(d: VmSections): ProblemDraft[] {
  if (d.cluster?.vip === undefined) return [];
  const [vipAddress = "", prefixText = "32"] = d.cluster.vip.split("/");
  const problems: ProblemDraft[] = [];
  for (const h of hostEntries(d)) {
    if (h.address === vipAddress)
      problems.push(
        problemError(
          ["cluster", "vip"],
          `${vipAddress} is also the address of ${h.name} (${formatPath(h.at)}); the VIP must be an address no host owns`,
        ),
      );
  }
  // Only the load balancers whose address parsed as IPv4; an invalid one has its own error, and
  // one given as a name is checked once it is resolved (remote/addresses.ts runs this again).
  const lbs = (d.load_balancers ?? []).flatMap((lb, i) =>
    lb?.address === undefined || !IPV4.test(lb.address) ? [] : [{ name: lb.name, address: lb.address, i }],
  );
  if (lbs.length === 0) return problems;
  const prefix = Number(prefixText);
  const network = `${intToIpv4(networkOf(ipv4ToInt(vipAddress), prefix))}/${prefix}`;
  const outside = lbs.filter((lb) => networkOf(ipv4ToInt(lb.address), prefix) !== networkOf(ipv4ToInt(vipAddress), prefix));
  if (outside.length === lbs.length) {
    problems.push(
      problemError(
        ["cluster", "vip"],
        `is outside the load balancers' subnet (${network} holds none of ` +
          `${lbs.map((lb) => lb.address).join(", ")}); ` +
          `choose a free address on the subnet of the load balancers' interfaces`,
      ),
    );
  } else {
    for (const lb of outside) {
      problems.push(
        problemError(
          ["load_balancers", lb.i, "address"],
          `${lb.address} is outside the VIP's subnet ${network} (cluster.vip); a load balancer can only hold the VIP on its own subnet`,
        ),
      );
    }
  }
  return problems;
}

function checkPriorities(lbs: readonly LoadBalancerSpec[]): ProblemDraft[] {
  const priorities = effectivePriorities(lbs);
  const problems: ProblemDraft[] = [];
  priorities.forEach((p, i) => {
    const first = priorities.indexOf(p);
    if (first === i) return;
    const lb = lbs[i];
    const other = lbs[first];
    if (!lb || !other) return;
    const given = lb.priority !== undefined;
    const derived = " (derived from its place in the list)";
    const how = given ? `priority ${p}` : `priority ${p}${derived}`;
    const whose = other.priority === undefined ? `${other.name}'s${derived}` : `${other.name}'s`;
    problems.push(
      problemError(
        given ? ["load_balancers", i, "priority"] : ["load_balancers", i],
        `${how} is also ${whose}; give each load balancer a distinct priority so that only one is MASTER`,
      ),
    );
  });
  return problems;
}

function checkTlsPresence(d: ParsedSections, present: ReadonlySet<string>): ProblemDraft[] {
  if (d.cluster?.protocol !== "https" || present.has("tls")) return [];
  return [problemError(["tls"], "is required with protocol https; give tls.certificate and tls.key (PEM files)", ["cluster", "protocol"])];
}

function checkClair(d: ParsedSections, present: ReadonlySet<string>): ProblemDraft[] {
  if (d.harbor?.with_clair === undefined) return [];
  if (d.harbor.with_clair && !present.has("clair_db")) {
    return [
      problemError(["clair_db"], "is required when harbor.with_clair is true; describe Clair's PostgreSQL under clair_db, or set with_clair: false", [
        "harbor",
        "with_clair",
      ]),
    ];
  }
  if (!d.harbor.with_clair && d.clair_db !== undefined) {
    return [problemWarning(["clair_db"], "is ignored because harbor.with_clair is false; remove it or set with_clair: true")];
  }
  return [];
}

/** Largest cluster harbor-ha is measured with (scripts/bench, docs/BENCHMARKS.md). */
export const MEASURED_MAX_NODES = 32;
/** Beyond this, the per-node costs below dominate: an inventory this size is taken for a mistake. */
export const MAX_NODES = 100;

/**
 * Every load balancer runs check.sh (a curl) for every node each delay_loop, and every Harbor 1.x
 * node holds its own connections to the database (UI, adminserver, jobservice, Clair): a long node
 * list costs the load balancers and MariaDB (max_connections 151 by default) more than it adds.
 */
function checkClusterSize(d: ParsedSections): ProblemDraft[] {
  const n = d.harbor_nodes?.length ?? 0;
  const why =
    "each load balancer runs check.sh for every node every keepalived.delay_loop seconds, " +
    "and every node holds its own database connections (MariaDB allows 151 by default)";
  if (n > MAX_NODES)
    return [problemError(["harbor_nodes"], `lists ${n} Harbor nodes; harbor-ha supports at most ${MAX_NODES}: ${why}. Use fewer, larger nodes`)];
  if (n > MEASURED_MAX_NODES)
    return [
      problemWarning(
        ["harbor_nodes"],
        `lists ${n} Harbor nodes, more than harbor-ha is measured with (${MEASURED_MAX_NODES}): ${why}; ` +
          `check that the database's max_connections allows them`,
      ),
    ];
  return [];
}

function checkTunnel(d: ParsedSections): ProblemDraft[] {
  const via = d.database?.tunnel_via;
  const hosts = hostEntries(d);
  // A host whose name did not parse might be the one meant: its own error says so.
  if (via === undefined || !d.load_balancers || !d.harbor_nodes || hosts.some((h) => h.name === undefined)) return [];
  if (hosts.some((h) => h.name === via)) return [];
  return [problemError(["database", "tunnel_via"], `"${via}" is not a host of this inventory; use the name of a load balancer or Harbor node`)];
}

function ipv4ToInt(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

function networkOf(address: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) * size;
}

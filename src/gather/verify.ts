/**
 * Checks after a change: exactly one load balancer holds the VIP, and check.sh on
 * every load balancer passes for every Harbor node. Read-only; polled against a
 * deadline with a growing interval, since keepalived and Harbor take a moment.
 */
import type { Inventory } from "../inventory/model.js";
import { vipParts } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import { checkNodesCommand, heldAddressesCommand } from "../steps/commands.js";
import { CHECK_SCRIPT_PATH } from "../render/loadbalancer.js";
import { allOf, cmd } from "../shell/command.js";
import { HarborHaError } from "../errors.js";

export { pollUntil } from "../time/poll.js";
export type { PollOptions } from "../time/poll.js";
import { pollUntil } from "../time/poll.js";

/** The names of the load balancers that hold the VIP now. */
export async function gatherVipHolders(pool: SshPool, inv: Inventory): Promise<string[]> {
  const vip = vipParts(inv).address;
  const names = inv.data.load_balancers.map((l) => l.name);
  const settled = await pool.forEachHost(names, async (s) => (await s.runChecked(heldAddressesCommand(), { step: "who holds the VIP" })).stdout);
  return names.filter((_, i) => {
    const s = settled[i];
    return s?.status === "fulfilled" && s.value.split("\n").some((l) => l.trim().split("/")[0] === vip);
  });
}

/** Waits until exactly one load balancer holds the VIP (VRRP settles within a few adverts). */
export async function verifySingleVipHolder(pool: SshPool, inv: Inventory): Promise<string> {
  const timeoutMs = (3 * inv.data.keepalived.advert_int + 5) * 1000;
  let last: string[] = [];
  const holder = await pollUntil(
    async () => {
      last = await gatherVipHolders(pool, inv);
      return last.length === 1 ? last[0] : undefined;
      // `ip addr` on each load balancer is cheap: look often, VRRP's election is seen within 0.5 s.
    },
    { timeoutMs, firstIntervalMs: 200, maxIntervalMs: 500 },
  );
  if (holder !== undefined) return holder;
  throw new HarborHaError(
    last.length === 0
      ? `no load balancer holds the VIP ${inv.data.cluster.vip} after ${timeoutMs / 1000} s`
      : `${last.length} load balancers hold the VIP at once (${last.join(", ")}): VRRP split brain`,
    {
      hint:
        "Check keepalived's log on the load balancers (VRRP adverts blocked by a firewall? " +
        "a different auth_pass or virtual_router_id?), then run again.",
    },
  );
}

export interface NodeCheck {
  lb: string;
  node: string;
  ok: boolean;
  detail: string;
}

/** Which hosts a check reads (--limit): every load balancer and every node unless named. */
export interface CheckScope {
  lbs?: readonly string[];
  nodes?: readonly string[];
}

/** Runs check.sh for every node on every load balancer (or those `scope` names: --limit), once. */
export async function gatherNodeChecks(pool: SshPool, inv: Inventory, scope: CheckScope = {}): Promise<NodeCheck[]> {
  const lbs = inv.data.load_balancers.map((l) => l.name).filter((l) => !scope.lbs || scope.lbs.includes(l));
  const nodes = inv.data.harbor_nodes.filter((n) => !scope.nodes || scope.nodes.includes(n.name));
  const byAddress = new Map(nodes.map((n) => [n.address, n.name]));
  // One round trip per load balancer: check.sh must be executable (the check lines exit 0 always), then the checks.
  const settled = await pool.forEachHost(
    lbs,
    async (s) =>
      (
        await s.runChecked(
          allOf(
            cmd("test", "-x", CHECK_SCRIPT_PATH),
            checkNodesCommand(
              CHECK_SCRIPT_PATH,
              nodes.map((n) => n.address),
            ),
          ),
          {
            step: "check.sh is executable; run it for every node",
            hint: `keepalived counts a MISC_CHECK it cannot execute as passing: ${CHECK_SCRIPT_PATH} must exist and be executable.`,
          },
        )
      ).stdout,
  );
  const checks: NodeCheck[] = [];
  settled.forEach((s, i) => {
    const lb = lbs[i] as string;
    if (s.status === "rejected") {
      for (const n of nodes) checks.push({ lb, node: n.name, ok: false, detail: (s.reason as Error).message });
      return;
    }
    for (const line of s.value.split("\n").filter(Boolean)) {
      const [address = "", verdict = "", ...rest] = line.split(" ");
      checks.push({ lb, node: byAddress.get(address) ?? address, ok: verdict === "ok", detail: rest.join(" ") });
    }
  });
  return checks;
}

export interface ClusterLook {
  /** The load balancers holding the VIP. */
  holders: string[];
  checks: NodeCheck[];
}

/** One look, no polling: who holds the VIP, and check.sh for every node from every load balancer. */
export async function lookAtCluster(pool: SshPool, inv: Inventory): Promise<ClusterLook> {
  const [holders, checks] = await Promise.all([gatherVipHolders(pool, inv), gatherNodeChecks(pool, inv)]);
  return { holders, checks };
}

/** Polls until check.sh passes for every node (or the nodes `only` names) from every load balancer. */
export async function verifyNodesHealthy(pool: SshPool, inv: Inventory, timeoutMs = 60_000, only?: readonly string[]): Promise<NodeCheck[]> {
  let last: NodeCheck[] = [];
  const ok = await pollUntil(
    async () => {
      last = await gatherNodeChecks(pool, inv, only ? { nodes: only } : {});
      return last.every((c) => c.ok) ? last : undefined;
    },
    { timeoutMs, firstIntervalMs: 500, maxIntervalMs: 4000 },
  );
  if (ok) return ok;
  const failing = last.filter((c) => !c.ok).map((c) => `  ${c.lb} → ${c.node}: ${c.detail || "check failed"}`);
  throw new HarborHaError(`check.sh fails for some Harbor nodes after ${timeoutMs / 1000} s:\n${failing.join("\n")}`, {
    hint:
      "Look at the failing node (is Harbor up? `curl -k https://127.0.0.1/api/systeminfo` on it) " +
      "and run provision again; nothing else will change.",
  });
}

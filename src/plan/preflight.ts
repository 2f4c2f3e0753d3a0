/**
 * Read-only checks on the facts, before anything changes: any problem stops the run
 * before its first write. Pure.
 */
import type { Inventory } from "../inventory/model.js";
import { vipParts } from "../inventory/model.js";
import type { DesiredHost } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { generationOf } from "../harbor/generations.js";
import { lbModeProblems } from "../lb/modes.js";
import type { PreflightProblem } from "../steps/types.js";

/** The installer bundle unpacks to a few hundred MB; Harbor's images need more. */
export const MIN_FREE_KB = 1024 * 1024;

export function preflightProblems(inv: Inventory, desired: readonly DesiredHost[], facts: ReadonlyMap<string, HostFacts>): PreflightProblem[] {
  const generation = generationOf(inv);
  const problems: PreflightProblem[] = [];
  const vip = vipParts(inv).address;
  for (const d of desired) {
    const f = facts.get(d.host.name);
    if (!f) continue;
    const add = (message: string, hint: string) => problems.push({ host: d.host.name, message, hint });
    if (d.host.role === "loadbalancer") {
      const lb = inv.data.load_balancers.find((l) => l.name === d.host.name);
      if (lb && f.interfaces[lb.interface] !== true)
        add(
          `has no network interface ${lb.interface}`,
          `Set load_balancers[].interface to the interface that should carry the VIP ${vip} (see \`ip link\` on the host).`,
        );
      for (const p of lbModeProblems(inv, f)) add(p.message, p.hint);
      continue;
    }
    for (const p of generation.nodeProblems(f))
      problems.push({ host: d.host.name, message: p.message, hint: p.hint, ...(p.code ? { code: p.code } : {}) });
    if (f.vips[vip])
      add(
        `holds the VIP ${vip} on an interface`,
        "Harbor nodes never hold the VIP (with LVS direct routing they accept its traffic through " +
          "iptables REDIRECT; HAProxy connects to their own address): remove it from the node (ip addr del).",
      );
    const reach = (label: string, host: string, port: number) => {
      if (f.tcp[`${host}:${port}`] !== true)
        add(
          `cannot reach ${label} at ${host}:${port}`,
          `Check that ${label} runs and that the firewall lets ${d.host.address} connect to port ${port}.`,
        );
    };
    for (const e of generation.endpoints()) reach(e.label, e.host, e.port);
    for (const target of d.requiredMounts) {
      if (!f.mounts[target])
        add(
          `has nothing mounted at ${target}`,
          `storage.type is "mounted": mount the shared storage at ${target} on every Harbor node first, or use storage.type "nfs".`,
        );
    }
    for (const m of d.mounts) {
      const current = f.mounts[m.target];
      if (current && current.source !== m.source)
        add(
          `has ${current.source} mounted at ${m.target}, not ${m.source}`,
          `Unmount it (after checking nothing uses it) or fix storage in the inventory; harbor-ha does not unmount filesystems.`,
        );
    }
    const free = f.diskFreeKb[inv.data.installer.install_dir];
    if (free !== undefined && free < MIN_FREE_KB)
      add(
        `has only ${Math.round(free / 1024)} MiB free for ${inv.data.installer.install_dir}`,
        "Free at least 1 GiB there, or choose another installer.install_dir.",
      );
  }
  const holders = desired.filter((d) => d.host.role === "loadbalancer" && facts.get(d.host.name)?.vips[vip]);
  const answered = desired.some((d) => d.host.role === "loadbalancer" && facts.get(d.host.name)?.pings[vip] === true);
  if (holders.length === 0 && answered) {
    problems.push({
      host: "cluster",
      message: `the VIP ${vip} answers, but none of the load balancers holds it`,
      hint: "Another machine uses this address: find it (arp -n / ip neigh on a load balancer) and free the address, or choose another cluster.vip.",
    });
  }
  return problems;
}

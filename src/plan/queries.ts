/** The fact queries a run makes of each host, by role: the common ones, the mode's and the generation's. Pure. */
import type { Inventory } from "../inventory/model.js";
import { vipParts } from "../inventory/model.js";
import type { DesiredHost } from "../desired/types.js";
import { INSTALL_STAMP_PATH } from "../desired/paths.js";
import { baseQueries, dedupeQueries } from "../facts/queries.js";
import type { FactQuery } from "../facts/queries.js";
import { generationOf } from "../harbor/generations.js";
import { lbModeQueries, nodeModeQueries } from "../lb/modes.js";
import { PENDING_DIR } from "../steps/pending.js";
import { bundleRemotePath } from "./harbor-node.js";
import type { BundleInfo } from "./harbor-node.js";
import { LB_SYSCTLS } from "./loadbalancer.js";
import { targetQueries } from "./target-system.js";

export function queriesFor(inv: Inventory, d: DesiredHost, bundle: BundleInfo): FactQuery[] {
  const vip = vipParts(inv).address;
  const q = baseQueries(d);
  q.push({ kind: "pending", path: PENDING_DIR }, ...targetQueries(d));
  if (d.host.role === "loadbalancer") {
    const lb = inv.data.load_balancers.find((l) => l.name === d.host.name);
    if (lb) q.push({ kind: "iface", name: lb.interface });
    for (const key of Object.keys(LB_SYSCTLS)) q.push({ kind: "sysctl", key });
    q.push({ kind: "vip", address: vip }, { kind: "ping", address: vip }, { kind: "keepalived" }, { kind: "drain" }, ...lbModeQueries(inv));
    return dedupeQueries(q);
  }
  const generation = generationOf(inv);
  q.push(
    // A real bundle is ~600 MB: its checksum is kept by the file's identity, not computed on every run.
    { kind: "file", path: bundleRemotePath(inv), desiredSha256: bundle.sha256, showContent: false, rememberSum: true },
    { kind: "file", path: `${generation.harborDir}/install.sh`, desiredSha256: "", showContent: false },
    { kind: "stamp", path: INSTALL_STAMP_PATH },
    { kind: "http", url: generation.localHealthUrl },
    { kind: "vip", address: vip },
    ...generation.endpoints().map((e) => ({ kind: "tcp" as const, host: e.host, port: e.port })),
    { kind: "disk", path: inv.data.installer.install_dir },
    ...generation.prerequisitePrograms.map((program) => ({ kind: "version" as const, program })),
    ...nodeModeQueries(inv),
    ...generation.nodeQueries(d),
  );
  return dedupeQueries(q);
}

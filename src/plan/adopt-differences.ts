/**
 * What a running cluster has that its inventory does not say (or says otherwise): adopt prints
 * these so the operator fixes the inventory before the first provision, which would otherwise
 * "repair" the cluster towards the inventory. Pure; values shown are configuration, never secrets
 * (password keys are not read back: adopt-readback.ts).
 */
import type { Inventory } from "../inventory/model.js";
import { effectivePriorities, vipParts } from "../inventory/model.js";
import type { FoundCluster, FoundNode } from "./adopt-readback.js";

export interface AdoptDifference {
  host: string;
  /** What differs: a file and key, or what was not found. */
  what: string;
  found: string;
  inventory: string;
}

/** Harbor's configuration key → the value the inventory implies, per generation. */
function expectedConfig(inv: Inventory): Record<string, string> {
  const { cluster } = inv.data;
  if (inv.generation === 2) {
    const { database, redis } = inv.data;
    return {
      hostname: cluster.hostname,
      "external_database.harbor.host": database.host,
      "external_database.harbor.port": String(database.port),
      "external_database.harbor.db_name": database.core_database,
      "external_database.harbor.username": database.user,
      ...(redis.host !== undefined ? { "external_redis.host": `${redis.host}:${redis.port}` } : {}),
    };
  }
  const { database, redis } = inv.data;
  return {
    hostname: cluster.hostname,
    ui_url_protocol: cluster.protocol,
    db_host: database.host,
    db_port: String(database.port),
    db_user: database.user,
    redis_url: `${redis.host}:${redis.port}`,
  };
}

function nodeDifferences(inv: Inventory, n: FoundNode, configFile: string): AdoptDifference[] {
  const out: AdoptDifference[] = [];
  const release = inv.data.cluster.harbor_version;
  if (n.release === undefined)
    out.push({ host: n.name, what: "running release", found: "unknown (no Harbor compose file read)", inventory: release });
  else if (n.release !== release) out.push({ host: n.name, what: "running release", found: n.release, inventory: release });
  if (n.config === undefined) {
    out.push({ host: n.name, what: configFile, found: "absent", inventory: "Harbor installed" });
    return out;
  }
  for (const [key, want] of Object.entries(expectedConfig(inv))) {
    const got = n.config[key];
    if (got !== want) out.push({ host: n.name, what: `${configFile} ${key}`, found: got ?? "(not set)", inventory: want });
  }
  if (inv.generation === 2) {
    const https = n.config["https.port"] !== undefined;
    if (https !== (inv.data.cluster.protocol === "https"))
      out.push({ host: n.name, what: `${configFile} https`, found: https ? "https" : "http", inventory: inv.data.cluster.protocol });
  }
  return out;
}

export function adoptDifferences(inv: Inventory, found: FoundCluster, configFile: string): AdoptDifference[] {
  const out: AdoptDifference[] = [];
  const { address: vip, prefix } = vipParts(inv);
  const priorities = effectivePriorities(inv.data.load_balancers);
  inv.data.load_balancers.forEach((lb, i) => {
    const f = found.loadBalancers.find((l) => l.name === lb.name);
    const ka = f?.keepalived;
    if (!ka) {
      out.push({ host: lb.name, what: "/etc/keepalived/keepalived.conf", found: "absent", inventory: "keepalived holds the VIP" });
      return;
    }
    const want = { routerId: inv.data.keepalived.virtual_router_id, priority: priorities[i], interface: lb.interface };
    if (ka.routerId !== want.routerId)
      out.push({ host: lb.name, what: "keepalived virtual_router_id", found: String(ka.routerId ?? "(none)"), inventory: String(want.routerId) });
    if (ka.priority !== want.priority)
      out.push({ host: lb.name, what: "keepalived priority", found: String(ka.priority ?? "(none)"), inventory: String(want.priority) });
    if (ka.interface !== want.interface)
      out.push({ host: lb.name, what: "keepalived interface", found: ka.interface ?? "(none)", inventory: want.interface });
    if (!ka.vips.some((v) => v.split("/")[0] === vip))
      out.push({ host: lb.name, what: "keepalived virtual_ipaddress", found: ka.vips.join(" ") || "(none)", inventory: `${vip}/${prefix}` });
    if (inv.data.load_balancing === "haproxy") {
      const servers = f?.haproxyServers ?? [];
      const missing = inv.data.harbor_nodes.filter((n) => !servers.includes(n.address)).map((n) => n.address);
      if (missing.length > 0)
        out.push({
          host: lb.name,
          what: "HAProxy servers",
          found: servers.join(" ") || "(none)",
          inventory: inv.data.harbor_nodes.map((n) => n.address).join(" "),
        });
    } else if (ka.realServers.length > 0) {
      const addrs = new Set(ka.realServers.map((s) => s.split(":")[0]));
      const nodes = inv.data.harbor_nodes.map((n) => n.address);
      if (nodes.some((a) => !addrs.has(a)) || [...addrs].some((a) => a !== undefined && !nodes.includes(a)))
        out.push({ host: lb.name, what: "keepalived real_server", found: [...addrs].join(" "), inventory: nodes.join(" ") });
    }
  });
  for (const n of found.nodes) out.push(...nodeDifferences(inv, n, configFile));
  return out;
}

export function formatAdoptDifferences(diffs: readonly AdoptDifference[]): string {
  if (diffs.length === 0) return "The cluster matches the inventory (release, Harbor's configuration, keepalived/HAProxy).\n";
  const lines = diffs.map((d) => `  ${d.host.padEnd(10)} ${d.what}: found ${d.found}; the inventory says ${d.inventory}`);
  return `What the cluster runs differs from the inventory (fix the inventory before provision, or provision changes the cluster):\n${lines.join("\n")}\n`;
}

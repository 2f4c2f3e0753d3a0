/**
 * What adopt reads back of a running cluster besides its secrets — the release its compose file
 * runs, Harbor's configuration file, keepalived's and HAProxy's configuration, the registry's
 * mount — parsed into plain values, and compared with the inventory so the operator can fix the
 * inventory before the first run. Pure; no secret value is kept (password keys are skipped).
 */
import { parse as parseYaml } from "yaml";
import type { Inventory } from "../inventory/model.js";
import type { HostFacts, MountFact } from "../facts/types.js";

export const KEEPALIVED_CONF_PATH = "/etc/keepalived/keepalived.conf";
export const HAPROXY_CFG_PATH = "/etc/haproxy/haproxy.cfg";

export interface FoundKeepalived {
  routerId?: number;
  priority?: number;
  state?: string;
  interface?: string;
  advertInt?: number;
  vips: string[];
  unicastPeers: string[];
  /** Real servers of its virtual_server blocks (LVS-DR), as "address:port". */
  realServers: string[];
}

export interface FoundLoadBalancer {
  name: string;
  keepalived?: FoundKeepalived;
  /** The addresses of HAProxy's `server` lines. */
  haproxyServers?: string[];
}

export interface FoundNode {
  name: string;
  /** The release the compose file's images name (e.g. "1.4.0", "2.15.1"). */
  release?: string;
  /** Harbor's configuration, as flat "key" (1.x) or "dotted.path" (2.x) → value, password keys left out. */
  config?: Record<string, string>;
  registryMount?: MountFact | null;
  registryFstab?: string | null;
}

export interface FoundCluster {
  loadBalancers: FoundLoadBalancer[];
  nodes: FoundNode[];
}

/**
 * keepalived.conf, line by line as keepalived's parser reads it: "#" and "!" start comments, a
 * line ending in "{" opens a block named by its first word, "}" closes one.
 */
export function parseKeepalivedConf(text: string): FoundKeepalived {
  const found: FoundKeepalived = { vips: [], unicastPeers: [], realServers: [] };
  const stack: string[] = [];
  for (const raw of text.split("\n")) {
    const words = raw
      .replace(/[#!].*$/, "")
      .replace(/[{}]/g, (b) => ` ${b} `)
      .split(/\s+/)
      .filter(Boolean);
    let rest = words;
    while (rest[0] === "}") {
      stack.pop();
      rest = rest.slice(1);
    }
    const [first, second] = rest;
    if (first === undefined) continue;
    if (rest[rest.length - 1] === "{") {
      if (first === "real_server") found.realServers.push(`${second ?? ""}:${rest[2] ?? ""}`);
      stack.push(first);
      continue;
    }
    const inside = stack[stack.length - 1];
    if (inside === "virtual_ipaddress") found.vips.push(first);
    else if (inside === "unicast_peer") found.unicastPeers.push(first);
    else if (inside === "vrrp_instance") {
      if (first === "virtual_router_id") found.routerId = Number(second);
      if (first === "priority") found.priority = Number(second);
      if (first === "state") found.state = second;
      if (first === "interface") found.interface = second;
      if (first === "advert_int") found.advertInt = Number(second);
    }
    if (rest.includes("}")) stack.pop();
  }
  return found;
}

/** HAProxy's `server NAME ADDRESS[:PORT] …` lines: the addresses. */
export function parseHaproxyServers(text: string): string[] {
  return text.split("\n").flatMap((l) => {
    const m = /^\s*server\s+\S+\s+([^\s:]+)/.exec(l.replace(/#.*$/, ""));
    return m?.[1] ? [m[1]] : [];
  });
}

/** The release a compose file's Harbor images are tagged with (vmware/harbor-ui:v1.4.0, goharbor/harbor-core:v2.15.1). */
export function composeRelease(text: string): string | undefined {
  return /harbor-(?:ui|core|adminserver|jobservice):v?(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

const PASSWORDISH = /pass|secret|key$|token/i;

/** harbor.cfg's `key = value` lines (1.x), password keys left out. */
export function parseHarborCfg(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([a-z_][a-z0-9_]*)\s*=\s*(.*?)\s*$/i.exec(line);
    if (!m?.[1] || line.trim().startsWith("#") || PASSWORDISH.test(m[1])) continue;
    out[m[1]] = m[2] ?? "";
  }
  return out;
}

/** harbor.yml (2.x) flattened to dotted paths of its scalar values, password keys left out. */
export function parseHarborYml(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    } else if (v !== null && v !== undefined && !Array.isArray(v) && !PASSWORDISH.test(path.slice(path.lastIndexOf(".") + 1))) {
      out[path] = String(v);
    }
  };
  try {
    walk(parseYaml(text), "");
  } catch {
    // an unreadable harbor.yml: nothing found, said by the differences
  }
  return out;
}

function readText(f: HostFacts | undefined, path: string): string | undefined {
  const r = f?.reads?.[path];
  return r?.state === "present" ? r.content : undefined;
}

/** The cluster as read back from the facts. */
export function readBackCluster(
  inv: Inventory,
  facts: ReadonlyMap<string, HostFacts>,
  files: { configFile: string; composeFile: string; registryPath: string | undefined },
): FoundCluster {
  const loadBalancers = inv.data.load_balancers.map((lb): FoundLoadBalancer => {
    const f = facts.get(lb.name);
    const ka = readText(f, KEEPALIVED_CONF_PATH);
    const hp = readText(f, HAPROXY_CFG_PATH);
    return {
      name: lb.name,
      ...(ka !== undefined ? { keepalived: parseKeepalivedConf(ka) } : {}),
      ...(hp !== undefined ? { haproxyServers: parseHaproxyServers(hp) } : {}),
    };
  });
  const nodes = inv.data.harbor_nodes.map((n): FoundNode => {
    const f = facts.get(n.name);
    const compose = readText(f, files.composeFile);
    const cfg = readText(f, files.configFile);
    const release = compose === undefined ? undefined : composeRelease(compose);
    const config = cfg === undefined ? undefined : inv.generation === 2 ? parseHarborYml(cfg) : parseHarborCfg(cfg);
    const path = files.registryPath;
    return {
      name: n.name,
      ...(release !== undefined ? { release } : {}),
      ...(config !== undefined ? { config } : {}),
      ...(path !== undefined && f ? { registryMount: f.mounts[path] ?? null, registryFstab: f.fstab[path] ?? null } : {}),
    };
  });
  return { loadBalancers, nodes };
}

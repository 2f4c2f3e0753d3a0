/**
 * `adopt --write-inventory`: a starting inventory from what adopt found on a running cluster.
 * It starts from the operator's own inventory document (how to reach the hosts, the secrets it
 * references, its comments) and sets what the cluster really runs: the VIP, router id, advert
 * interval, VRRP mode and priorities from keepalived.conf, the hostname, protocol, release,
 * database and Redis endpoints from Harbor's configuration, the registry's storage from its mount,
 * the TLS pair from the state folder. Each value it set says where it came from in a comment, and
 * each it had to guess says so. The cluster's secrets stay in the state folder (every run reads
 * them there); no value read from a host that is a secret is ever written here. Pure: YAML
 * through the yaml library's document API.
 */
import { parseDocument, isMap, isSeq } from "yaml";
import type { Document, Node } from "yaml";
import type { Inventory } from "../inventory/model.js";
import type { FoundCluster, FoundNode } from "./adopt-readback.js";

export interface AdoptedFiles {
  /** The TLS pair kept in the state folder, relative to the inventory's folder (https only). */
  tls?: { certificate: string; key: string };
}

type Path = ReadonlyArray<string | number>;

class Editor {
  constructor(private readonly doc: Document) {}

  /** Sets `path` to `value` (when it differs), with a comment on the value; keeps it when equal. */
  set(path: Path, value: unknown, comment: string): void {
    if (value === undefined) return;
    const current = this.doc.getIn(path);
    if (current === value) return;
    const node = this.doc.createNode(value);
    node.comment = ` adopt: ${comment}`;
    this.doc.setIn(path, node);
  }

  /** A comment above the section at `path` (what adopt could not tell, or guessed). */
  note(path: Path, comment: string): void {
    const node = this.doc.getIn(path, true) as Node | undefined;
    if (node && (isMap(node) || isSeq(node))) node.commentBefore = [node.commentBefore, ` adopt: ${comment}`].filter(Boolean).join("\n");
  }
}

/** The first node whose configuration was read: the cluster's configuration (nodes may differ: the differences say so). */
function firstConfigured(found: FoundCluster): FoundNode | undefined {
  return found.nodes.find((n) => n.config !== undefined);
}

function splitHostPort(value: string | undefined): { host: string; port?: number } | undefined {
  if (!value) return undefined;
  const m = /^([^:/]+)(?::(\d+))?/.exec(value.replace(/^redis:\/\//, ""));
  if (!m?.[1]) return undefined;
  return m[2] ? { host: m[1], port: Number(m[2]) } : { host: m[1] };
}

function setLoadBalancers(e: Editor, inv: Inventory, found: FoundCluster): void {
  const first = found.loadBalancers.find((l) => l.keepalived !== undefined);
  const ka = first?.keepalived;
  if (!ka || !first) {
    e.note(["keepalived"], "no keepalived.conf was found on any load balancer: these values are the inventory's, not the cluster's");
    return;
  }
  const where = `${first.name} /etc/keepalived/keepalived.conf`;
  const vip = ka.vips[0];
  if (vip !== undefined) {
    if (vip.includes("/")) e.set(["cluster", "vip"], vip, `virtual_ipaddress on ${where}`);
    else e.set(["cluster", "vip"], `${vip}/${inv.data.cluster.vip.split("/")[1] ?? "24"}`, `guessed prefix: ${where} gives the VIP without one`);
  }
  e.set(["keepalived", "virtual_router_id"], ka.routerId, `from ${where}`);
  e.set(["keepalived", "advert_int"], ka.advertInt, `from ${where}`);
  e.set(
    ["keepalived", "vrrp_mode"],
    ka.unicastPeers.length > 0 ? "unicast" : "multicast",
    `unicast_peer ${ka.unicastPeers.length > 0 ? "set" : "absent"} in ${where}`,
  );
  const priorities = distinctPriorities(inv, found);
  inv.data.load_balancers.forEach((lb, i) => {
    const k = found.loadBalancers.find((l) => l.name === lb.name)?.keepalived;
    if (!k) {
      e.note(["load_balancers", i], `no keepalived.conf read on ${lb.name}: its interface and priority are guesses`);
      return;
    }
    e.set(["load_balancers", i, "interface"], k.interface, `from ${lb.name}'s keepalived.conf`);
    const p = priorities.get(lb.name);
    e.set(
      ["load_balancers", i, "priority"],
      p,
      p === k.priority
        ? `from ${lb.name}'s keepalived.conf`
        : `guessed: ${lb.name}'s keepalived.conf says ${k.priority ?? "none"}, the same as another load balancer's (VRRP's election ` +
            "then goes to the higher address); harbor-ha needs distinct priorities: this one keeps who wins",
    );
    const others = inv.data.load_balancers.filter((o) => o.name !== lb.name).map((o) => o.address);
    if (k.unicastPeers.length > 0 && (k.unicastPeers.length !== others.length || k.unicastPeers.some((p) => !others.includes(p))))
      e.note(
        ["load_balancers", i],
        `${lb.name}'s keepalived.conf lists unicast peers ${k.unicastPeers.join(" ")}; harbor-ha makes them the other load balancers`,
      );
  });
}

function addressValue(address: string): number {
  return address.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/**
 * The load balancers' priorities as found, made distinct where keepalived.conf repeats one (the
 * guide's sample gives every load balancer 10): in VRRP's own order of election (priority, then the
 * higher address), each one below the one before it, so the same load balancer holds the VIP.
 */
function distinctPriorities(inv: Inventory, found: FoundCluster): Map<string, number> {
  const known = inv.data.load_balancers.flatMap((lb) => {
    const p = found.loadBalancers.find((l) => l.name === lb.name)?.keepalived?.priority;
    return p === undefined ? [] : [{ name: lb.name, p, addr: addressValue(lb.address) }];
  });
  known.sort((a, b) => b.p - a.p || b.addr - a.addr);
  const out = new Map<string, number>();
  let previous = 255;
  for (const k of known) {
    const p = Math.max(1, Math.min(k.p, previous - 1));
    out.set(k.name, p);
    previous = p;
  }
  return out;
}

function setHarbor(e: Editor, inv: Inventory, found: FoundCluster): void {
  const n = firstConfigured(found);
  const release = found.nodes.find((x) => x.release !== undefined)?.release;
  if (release !== undefined) e.set(["cluster", "harbor_version"], release, "the release the nodes' compose file runs");
  if (!n?.config) {
    e.note(["cluster"], "Harbor's configuration could not be read on any node: hostname, protocol, database and Redis are the inventory's");
    return;
  }
  const c = n.config;
  const where = `${n.name}'s ${inv.generation === 2 ? "harbor.yml" : "harbor.cfg"}`;
  e.set(["cluster", "hostname"], c["hostname"], `from ${where}`);
  if (inv.generation === 2) {
    e.set(["cluster", "protocol"], c["https.port"] !== undefined ? "https" : "http", `from ${where} (an https section or none)`);
    e.set(["database", "host"], c["external_database.harbor.host"], `from ${where}`);
    const port = c["external_database.harbor.port"];
    e.set(["database", "port"], port === undefined ? undefined : Number(port), `from ${where}`);
    e.set(["database", "user"], c["external_database.harbor.username"], `from ${where}`);
    e.set(["database", "core_database"], c["external_database.harbor.db_name"], `from ${where}`);
    const redis = splitHostPort(c["external_redis.host"]);
    e.set(["redis", "host"], redis?.host, `from ${where}`);
    e.set(["redis", "port"], redis?.port, `from ${where}`);
  } else {
    e.set(["cluster", "protocol"], c["ui_url_protocol"], `from ${where}`);
    e.set(["database", "host"], c["db_host"], `from ${where}`);
    e.set(["database", "port"], c["db_port"] === undefined ? undefined : Number(c["db_port"]), `from ${where}`);
    e.set(["database", "user"], c["db_user"], `from ${where}`);
    const redis = splitHostPort(c["redis_url"]);
    e.set(["redis", "host"], redis?.host, `from ${where}`);
    e.set(["redis", "port"], redis?.port, `from ${where}`);
  }
  e.note(["database"], "the password is not read back from the nodes: keep the inventory's reference to it");
}

function setStorage(e: Editor, inv: Inventory, found: FoundCluster): void {
  const n = found.nodes.find((x) => x.registryMount);
  const mount = n?.registryMount;
  if (!n || !mount) {
    if (inv.data.storage.type !== "object_store")
      e.note(["storage"], "no node has a mount at the registry's folder: kept as the inventory says (an object store, or one shared folder?)");
    return;
  }
  const nfs = /^nfs4?$/.exec(mount.fstype);
  const source = /^([^:]+):(\/.*)$/.exec(mount.source);
  if (nfs && source?.[1] && source[2] && inv.data.storage.type === "nfs") {
    e.set(["storage", "server"], source[1], `the NFS mount on ${n.name}`);
    e.set(["storage", "registry_export"], source[2], `the NFS mount on ${n.name}`);
    e.set(["storage", "options"], mount.options, `as ${n.name} mounts it now (the kernel's view; fstab may say less)`);
  } else if (!nfs && inv.data.storage.type === "nfs") {
    e.note(["storage"], `${n.name} mounts the registry's folder from ${mount.source} (${mount.fstype}), not NFS: consider storage.type: mounted`);
  }
}

/** The inventory text to write: the operator's document with what the cluster runs. */
export function renderAdoptedInventory(originalText: string, inv: Inventory, found: FoundCluster, files: AdoptedFiles): string {
  const doc = parseDocument(originalText);
  const e = new Editor(doc);
  setLoadBalancers(e, inv, found);
  setHarbor(e, inv, found);
  setStorage(e, inv, found);
  if (files.tls) {
    e.set(["tls", "certificate"], files.tls.certificate, "the certificate the nodes serve, kept in the state folder by adopt");
    e.set(["tls", "key"], files.tls.key, "its key, kept in the state folder by adopt");
  }
  doc.commentBefore = [
    ` Written by harbor-ha adopt from the running cluster ${inv.data.cluster.name}, starting from ${inv.path}.`,
    ' Comments marked "adopt:" say where a value came from, or that it was guessed. The cluster\'s own',
    " secrets (secretkey, token key pair, 2.x core/job service/CSRF secrets) are in the state folder",
    ` .harbor-ha/${inv.data.cluster.name}/ beside this file: every harbor-ha run reads them there.`,
    doc.commentBefore ? `\n${doc.commentBefore}` : "",
  ]
    .filter(Boolean)
    .join("\n");
  return doc.toString({ lineWidth: 0 });
}

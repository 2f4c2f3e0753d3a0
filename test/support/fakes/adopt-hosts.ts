/** Hosts of a Harbor 1.4 cluster built by hand, as adopt's read facts see them; gather and database faked. */
import { createCipheriv, randomBytes } from "node:crypto";
import type { AdoptOptions } from "../../../src/adopt/adopt.js";
import { emptyFacts } from "../../../src/facts/parse.js";
import type { FactQuery } from "../../../src/facts/queries.js";
import type { HostFacts, MountFact } from "../../../src/facts/types.js";
import type { EncryptedSetting } from "../../../src/plan/harbor-encryption.js";
import type { SshPool } from "../../../src/remote/pool.js";

export const SECRETKEY = "Abcdefgh12345678";
export const OTHER_KEY = "Zyxwvuts87654321";
export const TOKEN_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIfakekey\n-----END RSA PRIVATE KEY-----\n";
export const TOKEN_CERT = "-----BEGIN CERTIFICATE-----\nMIIfakecert\n-----END CERTIFICATE-----\n";

/** Harbor's ReversibleEncrypt, as goharbor/harbor src/common/utils/encrypt.go does it. */
export function harborEncrypt(plain: string, key: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv("aes-128-cfb", Buffer.from(key), iv);
  return `<enc-v1>${Buffer.concat([iv, c.update(plain), c.final()]).toString("base64")}`;
}

export interface HandBuilt {
  vip: string;
  routerId: number;
  /** Interface and priority of each load balancer, by name. */
  lbs: Record<string, { iface: string; priority: number; peers?: string[] }>;
  /** The secretkey of each Harbor node, by name. */
  nodes: Record<string, string>;
  harborCfg: string;
  release: string;
  registryMount?: MountFact;
}

function keepalivedConf(c: HandBuilt, lb: { iface: string; priority: number; peers?: string[] }): string {
  const peers = lb.peers ? `  unicast_peer {\n${lb.peers.map((p) => `    ${p}\n`).join("")}  }\n` : "";
  return (
    `! the guide's sample, edited\nvrrp_instance VI_1 {\n  state MASTER\n  interface ${lb.iface}   # the VIP's\n` +
    `  virtual_router_id ${c.routerId}\n  priority ${lb.priority}\n  advert_int 1\n${peers}  authentication {\n    auth_type PASS\n    auth_pass s3cr3tpw\n  }\n` +
    `  virtual_ipaddress {\n    ${c.vip}\n  }\n}\n`
  );
}

function nodeFacts(c: HandBuilt, secretkey: string): HostFacts {
  const f = emptyFacts();
  f.reads = {
    "/data/secretkey": { state: "present", content: secretkey },
    "/opt/harbor/common/config/ui/private_key.pem": { state: "present", content: TOKEN_KEY },
    "/opt/harbor/common/config/registry/root.crt": { state: "present", content: TOKEN_CERT },
    "/opt/harbor/harbor.cfg": { state: "present", content: c.harborCfg },
    "/opt/harbor/docker-compose.yml": { state: "present", content: `services:\n  ui:\n    image: vmware/harbor-ui:v${c.release}\n` },
  };
  f.mounts["/data/registry"] = c.registryMount ?? null;
  return f;
}

export function adoptFakes(c: HandBuilt, encrypted: EncryptedSetting[] = []) {
  const asked: Array<ReadonlyMap<string, FactQuery[]>> = [];
  const facts = new Map<string, HostFacts>();
  for (const [name, lb] of Object.entries(c.lbs)) {
    const f = emptyFacts();
    f.reads = { "/etc/keepalived/keepalived.conf": { state: "present", content: keepalivedConf(c, lb) } };
    facts.set(name, f);
  }
  for (const [name, key] of Object.entries(c.nodes)) facts.set(name, nodeFacts(c, key));
  const opts: AdoptOptions = {
    dryRun: false,
    parallel: 10,
    acceptNewHostKeys: false,
    pool: { closeAll: async () => undefined } as unknown as SshPool,
    gather: async (_pool, queries) => {
      asked.push(queries);
      return { facts, failures: new Map() };
    },
    readDatabase: async () => ({ schemaVersion: "1.4.0", encrypted }),
  };
  return { opts, asked };
}

/**
 * Test helpers for the render tests: inventories built in memory through the real schema
 * (with a resolver that reads no environment), the fixed cluster state, and throwaway
 * network namespaces for the tools that need an interface or a port of their own.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ClusterState, Harbor1Inventory, Harbor2VmInventory, TlsMaterial } from "../../src/inventory/model.js";
import { parseHarbor2VmInventory } from "../../src/inventory/load.js";
import { buildInventorySchema, type SourceResolver } from "../../src/inventory/schema.js";
import { Secret } from "../../src/inventory/secret.js";
import { projectRoot } from "../../src/paths.js";
import { readClusterState } from "../../src/secrets/cluster-state.js";
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { TEST_NOW } from "./tls-fixtures.js";
import { unpackPrepareImage } from "./harbor-bundles.js";
import { createTestWorld } from "./test-world.js";
import type { TestWorld } from "./test-world.js";

export const FIXTURE_STATE_DIR = join(projectRoot(), "test", "fixtures", "state");

/** The fixture cluster state; with fixed pinned secrets, which only a Harbor 2.x render reads. */
export async function readFixtureState(): Promise<ClusterState> {
  return {
    ...(await readClusterState(FIXTURE_STATE_DIR)),
    harbor2: {
      coreSecret: new Secret("FixtureCoreSecr1"),
      jobserviceSecret: new Secret("FixtureJobSecre1"),
      csrfKey: new Secret("FixtureCsrfKeyFixtureCsrfKey0001"),
    },
  };
}

/** Secrets are inline or `${env:NAME}` from the given env; local files resolve beside `dir`, unchecked. */
export function testResolver(dir: string, env: Record<string, string> = {}): SourceResolver {
  return {
    secret(raw) {
      const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(raw);
      if (!m) return { ok: true, value: new Secret(raw) };
      const value = env[m[1] ?? ""];
      return value === undefined
        ? { ok: false, message: `environment variable ${m[1]} is not set` }
        : { ok: true, value: new Secret(value, `env:${m[1]}`) };
    },
    localFile(raw) {
      return { ok: true, value: resolve(dir, raw) };
    },
  };
}

/** Parses inventory data (already a JS object) with the real schema; throws on the first schema problem. */
export function buildTestInventory(raw: unknown, tls?: TlsMaterial, dir = "/srv/inventory"): Harbor1Inventory {
  const data = buildInventorySchema(testResolver(dir)).parse(raw);
  return tls ? { path: join(dir, "inventory.yaml"), dir, data, tls } : { path: join(dir, "inventory.yaml"), dir, data };
}

export interface ShapeOptions {
  lbs: number;
  nodes: number;
  protocol: "http" | "https";
  vrrpMode: "unicast" | "multicast";
  /** Give load balancers explicit priorities (in reverse order, so the last one is MASTER). */
  explicitPriorities?: boolean;
  storage?: "nfs" | "mounted" | "object_store";
  withCa?: boolean;
  loadBalancing?: "lvs-dr" | "haproxy";
}

export const TEST_SECRETS = {
  authPass: "vr1pPass",
  adminPassword: "Adm1n-Secret-Pw",
  dbPassword: "Db-Secret-Pw-42",
  redisPassword: "Redis-Secret-77",
  clairPassword: "Clair-Secret-99",
  s3Secret: "S3-Secret-Key-123",
};

/** Raw inventory data of a given shape, as an operator would write it. */
export function inventoryData(o: ShapeOptions): Record<string, unknown> {
  const storages = {
    nfs: { type: "nfs", server: "10.30.0.40", registry_export: "/exports/registry", job_logs_export: "/exports/job_logs" },
    mounted: { type: "mounted" },
    object_store: { type: "object_store", provider: "s3", config: { region: "eu-west-1", bucket: "harbor", secretkey: TEST_SECRETS.s3Secret } },
  };
  return {
    cluster: { name: "gen", vip: "10.30.0.250/24", hostname: "registry.test.example", protocol: o.protocol, harbor_version: "1.4.0" },
    load_balancers: Array.from({ length: o.lbs }, (_, i) => ({
      name: `lb${i + 1}`,
      address: `10.30.0.${11 + i}`,
      interface: i === 1 ? "ens3" : "eth0",
      ...(o.explicitPriorities ? { priority: 50 + 20 * i } : {}),
    })),
    ...(o.loadBalancing ? { load_balancing: o.loadBalancing } : {}),
    keepalived: { virtual_router_id: 77, auth_pass: TEST_SECRETS.authPass, vrrp_mode: o.vrrpMode },
    harbor_nodes: Array.from({ length: o.nodes }, (_, i) => ({ name: `harbor${i + 1}`, address: `10.30.1.${10 + i}` })),
    installer: { bundle: "harbor.tgz" },
    harbor: { admin_password: TEST_SECRETS.adminPassword, with_clair: true, extra_cfg: { auth_mode: "db_auth", custom_key: "x" } },
    database: { host: "10.30.0.31", user: "harbor", password: TEST_SECRETS.dbPassword, registry_sql: "registry.sql" },
    redis: { host: "10.30.0.32" },
    clair_db: { host: "10.30.0.33", user: "clair", password: TEST_SECRETS.clairPassword },
    storage: storages[o.storage ?? "nfs"],
    ...(o.protocol === "https" ? { tls: { certificate: "tls/server.crt", key: "tls/server.key", ...(o.withCa ? { ca: "tls/ca.crt" } : {}) } } : {}),
  };
}

/** A throwaway self-signed certificate for the https shapes (the render does not judge it). */
export function makeTestTls(hostname: string, withCa: boolean): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), "hha-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k"), "-out", join(dir, "c"), "-days", "30", "-subj", `/CN=${hostname}`],
      { stdio: "ignore" },
    );
    const certificatePem = readFileSync(join(dir, "c"), "utf8");
    const tls: TlsMaterial = { certificatePem, key: new Secret(readFileSync(join(dir, "k"), "utf8")) };
    if (withCa) tls.caPem = certificatePem;
    return tls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let nsCounter = 0;

/** A fresh network namespace named hha-t-<pid>-<n>, deleted by the returned function. */
export function createNetns(): { name: string; remove: () => void } {
  const name = `hha-t-${process.pid}-${nsCounter++}`;
  execFileSync("ip", ["netns", "add", name]);
  execFileSync("ip", ["-n", name, "link", "set", "lo", "up"]);
  return { name, remove: () => void spawnSync("ip", ["netns", "del", name]) };
}

/** Gives a namespace an interface of the given name (a veth pair: this kernel has no dummy driver). */
export function addInterface(ns: string, ifname: string, cidr: string): void {
  execFileSync("ip", ["-n", ns, "link", "add", ifname, "type", "veth", "peer", "name", `p-${ifname}`.slice(0, 15)]);
  execFileSync("ip", ["-n", ns, "addr", "add", cidr, "dev", ifname]);
  execFileSync("ip", ["-n", ns, "link", "set", ifname, "up"]);
}

/** Runs a bash script inside the namespace's network and a private mount namespace. */
export function runInNetns(ns: string, script: string, args: string[] = [], timeoutMs = 30_000): SpawnSyncReturns<string> {
  return spawnSync("nsenter", [`--net=/run/netns/${ns}`, "unshare", "--mount", "--propagation", "private", "bash", "-c", script, "bash", ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
}

/**
 * Shell lines for a throwaway mount namespace (with $dir and $user set): keepalived's script
 * user added to private copies of /etc/passwd and /etc/group, and an empty /usr/local/bin.
 */
export const SCRIPT_USER_SANDBOX = `cp /etc/passwd "$dir/passwd"; cp /etc/group "$dir/group"
echo "$user:x:64999:64999::/nonexistent:/usr/sbin/nologin" >> "$dir/passwd"
echo "$user:x:64999:" >> "$dir/group"
mount --bind "$dir/passwd" /etc/passwd
mount --bind "$dir/group" /etc/group
mount -t tmpfs -o mode=755 tmpfs /usr/local/bin
`;

/**
 * A small stand-in for the part of Harbor's API a health check reads, on port 80 of loopback
 * addresses inside the namespace, one behaviour per address: 127.0.0.1 healthy, 127.0.0.2
 * another registry_url, 127.0.0.3 /api/repositories/top answers 500, 127.0.0.4 accepts and
 * never answers, 127.0.0.5 nothing listens. Resolves once it listens.
 */
export async function startHarborApiStandIn(ns: string, hostname: string): Promise<ChildProcess> {
  const js = `
const http = require("node:http");
// 1.x: systeminfo's registry_url and /api/repositories/top; 2.x: /api/v2.0/health's components,
// written as Harbor's API writes them (compact, sorted by name, "error" first when there is one).
const behaviours = {
  "127.0.0.1": { registryUrl: ${JSON.stringify(hostname)}, topStatus: 200, unhealthy: [] },
  "127.0.0.2": { registryUrl: "other.example", topStatus: 200, unhealthy: ["trivy"] },
  "127.0.0.3": { registryUrl: ${JSON.stringify(hostname)}, topStatus: 500, unhealthy: ["database"] },
};
const COMPONENTS = ["core", "database", "jobservice", "portal", "redis", "registry", "registryctl", "trivy"];
const health = (unhealthy) => JSON.stringify({
  components: COMPONENTS.map((name) => unhealthy.includes(name) ? { error: "failed to check the health status: timeout", name, status: "unhealthy" } : { name, status: "healthy" }),
  status: unhealthy.length ? "unhealthy" : "healthy",
});
let ready = 0;
for (const addr of [...Object.keys(behaviours), "127.0.0.4"]) {
  const b = behaviours[addr];
  const server = http.createServer((req, res) => {
    if (!b) return; // 127.0.0.4 accepts the connection and never answers
    if (req.url === "/api/systeminfo") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ with_notary: false, auth_mode: "db_auth", registry_url: b.registryUrl, harbor_version: "v1.4.0" }));
    } else if (req.url === "/api/repositories/top") {
      res.writeHead(b.topStatus, { "content-type": "application/json" });
      res.end("[]");
    } else if (req.url === "/api/v2.0/ping") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("Pong");
    } else if (req.url === "/api/v2.0/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(health(b.unhealthy) + "\\n");
    } else { res.writeHead(404); res.end(); }
  });
  server.listen(80, addr, () => { if (++ready === 4) console.log("ready"); });
}
`;
  const child = spawn("nsenter", [`--net=/run/netns/${ns}`, process.execPath, "-e", js], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`stand-in server exited with ${code}`)));
  });
  return child;
}

/**
 * For a describe block: a test world and a release's prepare image code unpacked in it, made
 * before its tests and removed after them. Read the fields inside tests (they are set by then).
 */
export function prepareCodeWorld(prepareImage: string): { world: TestWorld; code: string } {
  const box = {} as { world: TestWorld; code: string };
  before(() => {
    box.world = createTestWorld();
    box.code = unpackPrepareImage(prepareImage, box.world.dir);
  });
  after(() => box.world.remove());
  return box;
}

/** A Harbor 2.x VM inventory from its text, through the real loader, in a test world; fails the test on any problem. */
export function harbor2VmInventoryIn(world: TestWorld, text: string): Harbor2VmInventory {
  const { inventory, problems } = parseHarbor2VmInventory(text, { file: join(world.dir, "inv.yaml"), dir: world.dir, env: world.env, now: TEST_NOW });
  assert.ok(inventory, problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return inventory;
}

/** The example 2.x VM inventory (test/fixtures/inventories/v2/vms.yaml), parsed in `world` as of TEST_NOW; it must be valid. */
export function parseV2VmsFixture(world: TestWorld): Harbor2VmInventory {
  return harbor2VmInventoryIn(world, readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8"));
}

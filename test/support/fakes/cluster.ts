/**
 * The example inventory's cluster on fake hosts, for provision and reconfigure run whole:
 * the inventory beside a temporary folder (the fixture cluster state, a stand-in bundle
 * whose checksum the example plans with), each host's facts, and load balancers and nodes
 * that answer like healthy ones: lb1 holds the VIP, check.sh passes, the nodes serve the
 * inventory's certificate, the cluster lock behaves as `mkdir` does. The database is a
 * fake edge whose schema is in place (registry.sql is not loaded again).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseEdge, DatabasePreflight } from "../../../src/db/edge.js";
import type { EmitEvent, RunEvent } from "../../../src/events.js";
import type { HostFacts } from "../../../src/facts/types.js";
import type { Inventory } from "../../../src/inventory/model.js";
import {
  acquireLockCommand,
  appendAuditCommand,
  breakLockCommand,
  LOCK_HELD_EXIT,
  LOCK_OWNER_PATH,
  releaseLockCommand,
} from "../../../src/lock/commands.js";
import { CHECK_SCRIPT_PATH } from "../../../src/render/loadbalancer.js";
import { checkNodesCommand, heldAddressesCommand } from "../../../src/steps/commands.js";
import { servedFingerprintCommand } from "../../../src/execute/health-commands.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { expectedFingerprint } from "../../../src/execute/node-health.js";
import { INSTALL_STAMP_PATH, KEEPALIVED_CONF_PATH } from "../../../src/desired/paths.js";
import { generationOf } from "../../../src/harbor/generations.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import { desired, inv as example, matchingFacts, VIP } from "../example.js";
import { FIXTURE_STATE_DIR } from "../inventories.js";
import { FakeNetwork, including, shapeOf } from "./fake-hosts.js";
import type { FakeHost, Match } from "./fake-hosts.js";
import { FakeClock } from "./clock.js";
import type { ReconfigureOptions } from "../../../src/roll/types.js";

export interface FakeCluster {
  inv: Inventory;
  net: FakeNetwork;
  database: DatabaseEdge & { loads: number };
  events: RunEvent[];
  emit: EmitEvent;
  /** The notes the run emitted at level "warn". */
  warnings(): string[];
  remove(): void;
}

/** The lock's and the audit log's commands as src/lock builds them, whoever the owner and whatever the line. */
export const takesTheLock = shapeOf(acquireLockCommand("OWNER"), "OWNER");
export const releasesTheLock = shapeOf(releaseLockCommand("OWNER"), "OWNER");
export const appendsToTheAuditLog = shapeOf(appendAuditCommand("LINE"), "LINE");

/** check.sh run on a load balancer for every node of the inventory (inside gather/verify.ts's `test -x && …`). */
export function checksEveryNode(inv: Inventory): Match {
  return including(
    checkNodesCommand(
      CHECK_SCRIPT_PATH,
      inv.data.harbor_nodes.map((n) => n.address),
    ),
  );
}

/** The cluster lock as the real commands keep it: a directory made atomically, its owner file inside. */
function keepsTheLock(h: FakeHost): void {
  h.on(takesTheLock, (call, _stdin, host) => {
    const held = host.read(LOCK_OWNER_PATH);
    if (held !== undefined) return { code: LOCK_HELD_EXIT, stdout: held };
    host.write(LOCK_OWNER_PATH, `${call.values?.["OWNER"]}\n`);
    return {};
  });
  h.on(releasesTheLock, (call, _stdin, host) => {
    if (host.read(LOCK_OWNER_PATH) === `${call.values?.["OWNER"]}\n`) host.files.delete(LOCK_OWNER_PATH);
    return {};
  });
  h.on(breakLockCommand(), (_call, _stdin, host) => {
    const held = host.read(LOCK_OWNER_PATH) ?? "";
    host.files.delete(LOCK_OWNER_PATH);
    return { stdout: held };
  });
}

/** A load balancer that serves every node: check.sh passes for each, and it says whether it holds the VIP. */
function servesTheNodes(h: FakeHost, inv: Inventory): void {
  h.on(heldAddressesCommand(), (_call, _stdin, host) => ({ stdout: host.facts.vips[VIP] ? `10.20.0.11/24\n${VIP}/24\n` : "10.20.0.12/24\n" }));
  h.on(checksEveryNode(inv), { stdout: inv.data.harbor_nodes.map((n) => `${n.address} ok\n`).join("") });
}

/** A Harbor node that serves the inventory's certificate. */
function servesTheCertificate(h: FakeHost, inv: Inventory): void {
  h.on(servedFingerprintCommand(inv.data.cluster.hostname), { stdout: `sha256 Fingerprint=${expectedFingerprint(inv) ?? ""}\n` });
}

export function fakeCluster(factsOf: (d: DesiredHost) => HostFacts = matchingFacts): FakeCluster {
  const dir = mkdtempSync(join(tmpdir(), "harbor-ha-fake-cluster-"));
  const stateDir = join(dir, ".harbor-ha", example.data.cluster.name);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  for (const f of ["secretkey", "token_private_key.pem", "token_root.crt"]) cpSync(join(FIXTURE_STATE_DIR, f), join(stateDir, f));
  // The content whose sha256 the example plans with (plan/example.ts's bundle).
  const bundle = join(dir, "harbor-offline-installer-v1.4.0.tgz");
  writeFileSync(bundle, "the installer bundle");
  const inv: Inventory = {
    ...example,
    dir,
    path: join(dir, "inventory.yaml"),
    data: { ...example.data, installer: { ...example.data.installer, bundle } },
  };

  const net = new FakeNetwork();
  for (const d of desired.hosts) {
    const h = net.host(d.host.name);
    h.facts = factsOf(d);
    if (d.host.role === "loadbalancer") {
      keepsTheLock(h);
      servesTheNodes(h, inv);
    } else {
      servesTheCertificate(h, inv);
    }
  }
  const database = {
    loads: 0,
    preflight: async (): Promise<DatabasePreflight> =>
      ({
        plan: { action: "skip", reason: "the registry database holds Harbor's tables: registry.sql is not loaded again", warnings: [] },
        // Read only by a load, which this schema never gets.
        facts: { serverVersion: "10.11.6-MariaDB", registryExists: true, tables: ["alembic_version"], rowCounts: {} },
        sql: { path: "registry.sql", text: "", parsed: {} },
        connect: {
          host: inv.data.database.host,
          port: inv.data.database.port,
          user: inv.data.database.user,
          password: inv.data.database.password,
          connectTimeoutMs: 1000,
        },
      }) as unknown as DatabasePreflight,
    apply: async () => {
      database.loads += 1;
      return { action: "skip" as const, changed: false, message: "not loaded" };
    },
  };
  const events: RunEvent[] = [];
  return {
    inv,
    net,
    database,
    events,
    emit: (e) => events.push(e),
    warnings: () => events.flatMap((e) => (e.type === "note" && e.level === "warn" ? [e.message] : [])),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The options every provision or reconfigure of a fake cluster shares. */
export function fakeEdges(c: FakeCluster): {
  connect: FakeNetwork["connect"];
  database: DatabaseEdge;
  emit: EmitEvent;
  acceptNewHostKeys: false;
  parallel: number;
} {
  return { connect: c.net.connect, database: c.database, emit: c.emit, acceptNewHostKeys: false, parallel: 10 };
}

/** The options of a reconfigure over a fake cluster: --serial 1, a fake clock, a health gate of 5 s polled every 10 ms. */
export function fakeRollOptions(c: FakeCluster, extra: Partial<ReconfigureOptions> = {}): ReconfigureOptions {
  return {
    ...fakeEdges(c),
    command: "reconfigure",
    dryRun: false,
    serial: 1,
    purge: false,
    forceUnlock: false,
    isInterrupted: () => false,
    clock: new FakeClock(),
    gate: { timeoutMs: 5_000, firstIntervalMs: 10, maxIntervalMs: 10 },
    ...extra,
  };
}

/** A running cluster where keepalived.conf changed on the load balancers, harbor2's fstab lost its lines, and every node lacks the VIP rules script. */
export function driftedFacts(d: DesiredHost): HostFacts {
  const f = matchingFacts(d);
  if (d.host.role === "loadbalancer")
    f.files[KEEPALIVED_CONF_PATH] = {
      ...f.files[KEEPALIVED_CONF_PATH],
      present: true,
      sha256: "0".repeat(64),
      content: "# an older keepalived.conf\n",
    };
  else {
    f.files[VIP_ACCEPT_SCRIPT_PATH] = { present: false };
    if (d.host.name === "harbor2") for (const t of Object.keys(f.fstab)) f.fstab[t] = null;
  }
  return f;
}

/** A node's facts as if Harbor had never been installed there: nothing answers, no install stamp, none of prepare's files. */
export function harborNeverInstalled(f: HostFacts): HostFacts {
  if (f.stamps[INSTALL_STAMP_PATH] === undefined) return f; // a load balancer
  delete f.http[generationOf(example).localHealthUrl];
  f.stamps[INSTALL_STAMP_PATH] = null;
  for (const path of Object.keys(f.files)) if (path.startsWith(`${harborDir(example)}/common/`)) f.files[path] = { present: false };
  return f;
}

/**
 * provision run whole over the fake cluster (no lab, no SSH, no MariaDB): phases in order,
 * the lock around every write, a dry run that only reads, and Ctrl-C before and during the run.
 * A dry run with no state folder yet (it makes a token key pair with openssl) is a tool test:
 * test/tool/provision/first-dry-run.test.ts.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { provision, ProvisionFailed } from "../../../src/provision/provision.js";
import type { ProvisionOptions } from "../../../src/provision/provision.js";
import { InterruptedError } from "../../../src/errors.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { PENDING_DIR } from "../../../src/steps/pending.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { applyVipRulesCommand, VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import { bundleRemotePath } from "../../../src/plan/harbor-node.js";
import { generationOf } from "../../../src/harbor/generations.js";
import { readClusterStateFor } from "../../../src/secrets/cluster-state-for.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { desired, inv as example, matchingFacts, VIP } from "../../support/example.js";
import { FIXTURE_STATE_DIR } from "../../support/inventories.js";
import { driftedFacts, fakeCluster, fakeEdges, harborNeverInstalled, releasesTheLock } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";
import type { Command } from "../../../src/shell/command.js";
import { planStartupWait } from "../../../src/plan/startup.js";
import { gathersFacts } from "../../support/fakes/fake-hosts.js";

const LBS = ["lb1", "lb2"];
const NODES = ["harbor1", "harbor2", "harbor3"];

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

function options(c: FakeCluster, extra: Partial<ProvisionOptions> = {}): ProvisionOptions {
  return { ...fakeEdges(c), dryRun: false, reinitializeDatabase: false, isInterrupted: () => false, ...extra };
}

const isWrite = (c: { kind: string; step: string }) =>
  c.kind !== "facts" &&
  !/^(who holds the VIP|check\.sh is executable|run check\.sh for every node|keepalived -t|stage |remove .*harbor-ha-check)/.test(c.step);

test("the dry run reads each host once and writes nothing: no lock, no command but the facts", async () => {
  cluster = fakeCluster(driftedFacts);
  const r = await provision(cluster.inv, options(cluster, { dryRun: true }));
  assert.equal(r.changed, true);
  assert.deepEqual(
    cluster.net.calls.map((c) => c.kind),
    desired.hosts.map(() => "facts"),
  );
  assert.deepEqual(
    r.outcomes.map((o) => `${o.host} ${o.status}`),
    [...LBS, ...NODES].map((h) => `${h} would change`),
  );
});

/** Every entry under a folder with its content hash and mtime: what "nothing written" compares. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => {
      const p = join(e.parentPath, e.name);
      const st = statSync(p);
      return `${relative(dir, p)} ${e.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : "dir"} ${st.mtimeMs}`;
    })
    .sort();
}

test("a dry run writes nothing on this machine either: the state folder and its caches stay as they are", async () => {
  cluster = fakeCluster(driftedFacts);
  const state = join(cluster.inv.dir, ".harbor-ha");
  const before = snapshot(state);
  assert.ok(before.length >= 3, "the fake cluster has a state folder");
  await provision(cluster.inv, options(cluster, { dryRun: true }));
  assert.deepEqual(snapshot(state), before, "the dry run changed the state folder");
});

test("phases run in order under the lock: load balancers (backup first, VIP holder last), storage, harbor; then the lock goes and each changed host gets its audit line", async () => {
  cluster = fakeCluster(driftedFacts);
  const r = await provision(cluster.inv, options(cluster));
  const calls = cluster.net.calls;
  const at = (pred: (c: (typeof calls)[number]) => boolean) => calls.findIndex(pred);
  const last = (pred: (c: (typeof calls)[number]) => boolean) => calls.map(pred).lastIndexOf(true);

  const lockTaken = LBS.map((lb) => at((c) => c.host === lb && c.step === "take the cluster lock"));
  assert.ok(lockTaken[0]! >= 0 && lockTaken[0]! < lockTaken[1]!, "lock taken on lb1, then lb2");
  assert.ok(lockTaken[1]! < at((c) => isWrite(c) && !c.step.includes("cluster lock")), "no write before the lock");

  const lbWrites = (lb: string) => calls.map((c, i) => (c.host === lb && c.step.includes("keepalived") && isWrite(c) ? i : -1)).filter((i) => i >= 0);
  assert.ok(Math.max(...lbWrites("lb2")) < Math.min(...lbWrites("lb1")), "lb2 (backup) changed before lb1 (VIP holder)");
  const firstStorage = at((c) => c.host === "harbor2" && /fstab|mount/.test(c.step));
  const firstHarbor = at((c) => NODES.includes(c.host) && c.step.startsWith(`write ${VIP_ACCEPT_SCRIPT_PATH} `));
  assert.ok(Math.max(...lbWrites("lb1")) < firstStorage && firstStorage < firstHarbor, "loadbalancers → storage → harbor");
  assert.ok(
    at((c) => c.step === "release the cluster lock") > last((c) => c.step === "apply the VIP acceptance rules (iptables REDIRECT)"),
    "lock released after the last change",
  );
  for (const lb of LBS) assert.equal(cluster.net.host(lb).read(LOCK_OWNER_PATH), undefined, `${lb}: lock gone`);
  assert.deepEqual(
    calls
      .filter((c) => c.step === "append to the audit log")
      .map((c) => c.host)
      .sort(),
    [...LBS, ...NODES].sort(),
  );
  for (const n of NODES)
    assert.equal(
      cluster.net.host(n).read(VIP_ACCEPT_SCRIPT_PATH),
      desired.hosts.find((d) => d.host.name === n)?.files.find((f) => f.path === VIP_ACCEPT_SCRIPT_PATH)?.content,
    );
  assert.deepEqual(
    r.outcomes.map((o) => `${o.host} ${o.status}`),
    [...LBS, ...NODES].map((h) => `${h} changed`),
  );
  assert.equal(r.vipHolder, "lb1");
  assert.equal(cluster.database.loads, 0);
});

/** What the start-up wait's probe reads from a Harbor that is up (apply/wait-step.test.ts). */
/** The start-up wait's probe as planned for node `n` (plan/startup.ts). */
function startupProbe(n: string): Command {
  const action = planStartupWait(generationOf(example), example.data.cluster.protocol, n, 1).action;
  assert.ok(action.type === "wait");
  return action.probe;
}

const HARBOR_UP =
  '== systeminfo\nstatus 200\n== v2\nHTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm="x"\r\n\r\nstatus 401\n== token\nstatus 200\n';

test("a cluster's first run: the hosts' facts are read while its token key pair is made; nothing is written anywhere before it exists, and the plan is made once, with it", async () => {
  // A fresh cluster (nobody holds the VIP yet, Harbor down, no bundle on the nodes) and no state folder.
  cluster = fakeCluster((d) => {
    const f = harborNeverInstalled(matchingFacts(d));
    if (d.host.role === "loadbalancer") {
      f.vips[VIP] = false;
      f.pings[VIP] = false;
      return f;
    }
    f.files[bundleRemotePath(example)] = { present: false };
    f.files[`${harborDir(example)}/install.sh`] = { present: false };
    f.files[`${harborDir(example)}/harbor.cfg`] = { present: false };
    delete f.http[generationOf(example).localHealthUrl];
    return f;
  });
  const c = cluster;
  const stateDir = join(c.inv.dir, ".harbor-ha", example.data.cluster.name);
  rmSync(join(c.inv.dir, ".harbor-ha"), { recursive: true, force: true });
  // The key pair "is generated" until every host's facts were asked (or 5 s passed).
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const fallback = setTimeout(() => release(), 5_000);
  let asked = 0;
  for (const h of [...LBS, ...NODES])
    c.net.host(h).on(gathersFacts, () => {
      if (++asked === LBS.length + NODES.length) release();
      return "default";
    });
  let releasedAt = -1;
  const readState: typeof readClusterStateFor = async (inv, o) => {
    await gate;
    clearTimeout(fallback);
    releasedAt = c.net.calls.length;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    for (const f of ["secretkey", "token_private_key.pem", "token_root.crt"]) cpSync(join(FIXTURE_STATE_DIR, f), join(stateDir, f));
    // VRRP has elected lb1 meanwhile.
    c.net.host("lb1").facts.vips[VIP] = true;
    return readClusterStateFor(inv, o);
  };
  for (const n of NODES) c.net.host(n).on(startupProbe(n), { stdout: HARBOR_UP });
  const r = await provision(c.inv, options(c, { readState }));
  assert.ok(releasedAt >= 0, "the state was read");
  const before = c.net.calls.slice(0, releasedAt);
  assert.equal(before.filter((x) => x.step === "gather facts").length, LBS.length + NODES.length, "every host's facts asked while the key was made");
  // The preflight's reads only: the facts and the look at the cluster taken beside them.
  const reads = new Set(["gather facts", "who holds the VIP", "check.sh is executable; run it for every node"]);
  assert.deepEqual(
    before.filter((x) => !reads.has(x.step)).map((x) => `${x.host}: ${x.step}`),
    [],
    "nothing but reads before the key pair exists",
  );
  // The run reports the plan made with the cluster's own secrets, and it is whole.
  assert.deepEqual(
    r.outcomes.map((o) => `${o.host} ${o.status}`),
    // keepalived runs on both yet neither holds the VIP: lb1 (highest priority) is restarted to take it.
    ["lb1 changed", "lb2 unchanged", ...NODES.map((h) => `${h} changed`)],
  );
  const tokenKey = readFileSync(join(stateDir, "token_private_key.pem"), "utf8");
  for (const n of NODES) {
    const steps = r.plan.hosts.find((h) => h.host.name === n)?.steps.map((s) => s.title) ?? [];
    assert.ok(
      steps.some((t) => t.startsWith("extract the installer")) && steps.some((t) => t.startsWith("run install.sh")),
      `${n}: ${steps.join("; ")}`,
    );
  }
  assert.ok(!JSON.stringify(r.plan).includes(tokenKey.split("\n")[1] ?? "(none)"), "no key material in the plan");
});

/** Only the Harbor nodes drifted (no load-balancer step, so no keepalived settle wait). */
function nodesDrifted(d: DesiredHost): HostFacts {
  return d.host.role === "loadbalancer" ? matchingFacts(d) : driftedFacts(d);
}

test("Ctrl-C before the lock: exit 130, 'interrupted', the lock never taken and nothing changed", async () => {
  cluster = fakeCluster(nodesDrifted);
  let interrupted = false;
  cluster.net.host("harbor3").on(gathersFacts, () => {
    interrupted = true;
    return "default";
  });
  await assert.rejects(provision(cluster.inv, options(cluster, { isInterrupted: () => interrupted })), (e: unknown) => {
    assert.ok(e instanceof InterruptedError);
    assert.equal(e.exitCode, 130);
    assert.equal(
      e.message,
      "interrupted (Ctrl-C) during preflight; nothing was changed on any host and the cluster lock was not taken; run again to finish",
    );
    assert.doesNotMatch(`${e.message} ${e.hint}`, /fix the cause/i);
    return true;
  });
  // Only reads: the facts, and the look at the cluster (VIP holder, check.sh) the preflight takes beside them.
  const reads = new Set(["who holds the VIP", "check.sh is executable; run it for every node"]);
  assert.deepEqual(
    cluster.net.calls.filter((c) => c.kind !== "facts" && !reads.has(c.step)),
    [],
    "only read-only commands",
  );
});

test("Ctrl-C during a phase: the writes under way finish whole, no host starts another step, exit 130 with what finished and what did not", async () => {
  cluster = fakeCluster(nodesDrifted);
  let interrupted = false;
  cluster.net.host("harbor1").on(
    (c) => c.kind === "upload" && c.path === VIP_ACCEPT_SCRIPT_PATH,
    () => {
      interrupted = true;
      return "default";
    },
  );
  const c = cluster;
  // One host at a time, so that the order is known: harbor1's write is under way when Ctrl-C comes.
  await assert.rejects(provision(c.inv, options(c, { parallel: 1, isInterrupted: () => interrupted })), (e: unknown) => {
    assert.ok(e instanceof ProvisionFailed);
    assert.equal(e.exitCode, 130);
    assert.equal(
      e.message,
      "interrupted (Ctrl-C) during harbor; done: harbor2 (2 steps), harbor1 (1 step); not finished: harbor1, harbor2, harbor3; not started: verify; run again to finish",
    );
    assert.doesNotMatch(`${e.message} ${e.hint}`, /fix the cause/i);
    assert.match(e.hint ?? "", /Run the same command again to finish/);
    const harbor1 = e.partial.outcomes.find((o) => o.host === "harbor1");
    assert.equal(harbor1?.status, "changed", "a host stopped between steps is not a failure");
    return true;
  });
  const changes = c.net.calls.filter(
    (x) => NODES.includes(x.host) && x.kind !== "facts" && x.step !== "append to the audit log" && !/\((record|clear) pending /.test(x.step),
  );
  assert.deepEqual(
    changes.map((x) => `${x.host}: ${x.step.split(" (")[0]}`),
    ["harbor2: persist /data/registry in /etc/fstab", "harbor2: persist /data/job_logs in /etc/fstab", `harbor1: write ${VIP_ACCEPT_SCRIPT_PATH}`],
    "nothing started after the write under way",
  );
  assert.ok(c.net.host("harbor1").files.has(`${PENDING_DIR}/apply-vip-rules`), "the rules not applied yet stay pending for the next run");
  assert.equal(
    c.net.host("harbor1").read(VIP_ACCEPT_SCRIPT_PATH),
    desired.hosts.find((d) => d.host.name === "harbor1")?.files.find((f) => f.path === VIP_ACCEPT_SCRIPT_PATH)?.content,
    "the file is whole",
  );
  for (const lb of LBS) assert.equal(c.net.host(lb).read(LOCK_OWNER_PATH), undefined, `${lb}: lock released`);
  assert.ok(
    c.net.calls.some((x) => x.host === "harbor1" && x.step === "append to the audit log"),
    "what was changed is audited",
  );
});

test("a failing host stops the run after its phase; a lock that cannot be released is a warning, never the run's error", async () => {
  cluster = fakeCluster(nodesDrifted);
  const c = cluster;
  c.net
    .host("harbor2")
    .on(applyVipRulesCommand(c.net.host("harbor2").facts.init), { code: 1, stderr: "iptables: No chain/target/match by that name.\n" });
  c.net.host("lb1").on(releasesTheLock, "drop");
  await assert.rejects(provision(c.inv, options(c)), (e: unknown) => {
    assert.ok(e instanceof ProvisionFailed);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, "harbor failed on harbor2; later phases did not start");
    assert.equal(e.partial.outcomes.find((o) => o.host === "harbor2")?.status, "failed");
    assert.match(e.partial.outcomes.find((o) => o.host === "harbor2")?.error ?? "", /iptables: No chain/);
    return true;
  });
  const warnings = c.warnings();
  assert.ok(
    warnings.some((w) =>
      /^could not release the cluster lock on lb1 — Remove it by hand \(rm -rf \/var\/lib\/harbor-ha\/lock as root on lb1\)/.test(w),
    ),
    warnings.join("\n"),
  );
  assert.equal(c.net.host("lb2").read(LOCK_OWNER_PATH), undefined, "released where it could be");
  assert.ok(c.net.host("lb1").read(LOCK_OWNER_PATH) !== undefined, "lb1 still holds it, as the warning says");
});

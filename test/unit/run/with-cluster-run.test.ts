/**
 * The life cycle provision, reconfigure and the drill share, on fake hosts that keep the lock
 * as `mkdir` does: Ctrl-C before the lock changes nothing, the work runs under the lock, the
 * audit lines and the release come after it and never replace its outcome or its error, and
 * the pool is closed however the run ends.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { withClusterRun } from "../../../src/run/with-cluster-run.js";
import type { ClusterRunSettings } from "../../../src/run/with-cluster-run.js";
import { InterruptedError } from "../../../src/errors.js";
import { LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { formatLockOwner } from "../../../src/lock/owner.js";
import { appendsToTheAuditLog, fakeCluster, releasesTheLock } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

const HOSTS = ["lb1", "lb2", "harbor1"];

function settings(extra: Partial<ClusterRunSettings> = {}): ClusterRunSettings & { said: string[]; warned: string[] } {
  const said: string[] = [];
  const warned: string[] = [];
  return {
    command: "provision",
    forceUnlock: false,
    isInterrupted: () => false,
    notice: (m) => said.push(m),
    warn: (m, host) => warned.push(host === undefined ? m : `[${host}] ${m}`),
    said,
    warned,
    ...extra,
  };
}

test("the work runs under the lock; the audit lines it recorded are written after it, then the lock goes and the pool closes", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  const s = settings();
  const result = await withClusterRun(net.pool(HOSTS), inv, s, (run) =>
    run.changing(async (audit) => {
      assert.ok(net.host("lb1").read(LOCK_OWNER_PATH)?.includes("command=provision"), "held while the work runs");
      audit.record("harbor1", ["write /etc/a"]);
      audit.record("harbor1", ["reload b"]);
      audit.record("lb2", []);
      return "done";
    }),
  );
  assert.equal(result, "done");
  assert.deepEqual(net.trace(/lock|audit/), [
    "lb1: take the cluster lock",
    "lb2: take the cluster lock",
    "harbor1: append to the audit log",
    "lb1: release the cluster lock",
    "lb2: release the cluster lock",
  ]);
  const audited = net.calls.find((c) => c.step === "append to the audit log");
  assert.match(audited?.argv.join(" ") ?? "", /provision: write \/etc\/a; reload b/, "one line with every change of the host");
  assert.deepEqual([...net.closed].sort(), ["harbor1", "lb1", "lb2"]);
  assert.deepEqual(s.warned, []);
});

test("Ctrl-C before the changing part: exit 130 naming the preflight, no lock taken, the work never starts", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  let started = false;
  await assert.rejects(
    withClusterRun(net.pool(HOSTS), inv, settings({ isInterrupted: () => true, preflight: "the drill's preflight" }), (run) =>
      run.changing(async () => {
        started = true;
      }),
    ),
    (e: unknown) =>
      e instanceof InterruptedError &&
      e.exitCode === 130 &&
      /^interrupted \(Ctrl-C\) during the drill's preflight; nothing was changed/.test(e.message),
  );
  assert.equal(started, false);
  assert.deepEqual(net.trace(/lock/), []);
});

test("the work's own error is what the run throws, although the audit line and the release both fail: those are warnings", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  net.host("harbor1").on(appendsToTheAuditLog, { code: 1, stderr: "No space left on device\n" });
  net.host("lb2").on(releasesTheLock, "drop");
  const s = settings();
  const failure = new Error("harbor2: install.sh failed");
  await assert.rejects(
    withClusterRun(net.pool(HOSTS), inv, s, (run) =>
      run.changing(async (audit) => {
        audit.record("harbor1", ["write /etc/a"]);
        throw failure;
      }),
    ),
    (e: unknown) => e === failure,
  );
  assert.equal(s.warned.length, 2, s.warned.join("\n"));
  assert.match(s.warned[0] ?? "", /^\[harbor1\] harbor1: could not append to the audit log: .*No space left on device/s);
  assert.match(
    s.warned[1] ?? "",
    /^could not release the cluster lock on lb2 — Remove it by hand \(rm -rf \/var\/lib\/harbor-ha\/lock as root on lb2\)/,
  );
  assert.equal(net.host("lb1").read(LOCK_OWNER_PATH), undefined, "released where it could be");
  assert.deepEqual([...new Set(net.closed)].sort(), ["harbor1", "lb1", "lb2"]);
});

test("--force-unlock breaks a dead run's lock and says whose; lock: false takes none and runs the work all the same", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  const alice = formatLockOwner({ operator: "alice@laptop", command: "reconfigure", pid: 4242, since: "2026-01-01T10:00:00.000Z" });
  net.host("lb2").write(LOCK_OWNER_PATH, `${alice}\n`);
  const forced = settings({ forceUnlock: true });
  await withClusterRun(net.pool(HOSTS), inv, forced, (run) => run.changing(async () => undefined));
  assert.equal(forced.said.length, 1);
  assert.match(forced.said[0] ?? "", /^--force-unlock: broke the cluster lock on lb2 held by alice@laptop \(reconfigure, pid 4242\)/);
  assert.equal(net.host("lb2").read(LOCK_OWNER_PATH), undefined, "ours released too");

  net.calls.length = 0;
  const ran = await withClusterRun(net.pool(HOSTS), inv, settings(), (run) => run.changing(async () => "verified", { lock: false }));
  assert.equal(ran, "verified");
  assert.deepEqual(net.trace(/lock/), []);
});

test("writeNow writes a host's line at once, through the pool given for a host outside the run's", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  const removed = net.pool(["10.20.0.99"]);
  await withClusterRun(net.pool(["lb1", "lb2"]), inv, settings({ command: "reconfigure" }), (run) =>
    run.changing(async (audit) => {
      await audit.writeNow("lb1", ["reload keepalived"]);
      await audit.writeNow("10.20.0.99", ["removed from the cluster: Harbor stopped"], removed);
      assert.deepEqual(net.trace(/audit/), ["lb1: append to the audit log", "10.20.0.99: append to the audit log"], "written before the work ends");
    }),
  );
  await removed.closeAll();
  assert.equal(net.trace(/audit/).length, 2, "nothing written twice at the end");
});

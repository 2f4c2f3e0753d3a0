/**
 * The cluster lock on fake load balancers that keep it as `mkdir` does: taken on each in
 * inventory order, refused (naming the holder) when another run holds it, broken only with
 * force, and a release that fails names the hosts and what to do.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { acquireClusterLock, ClusterLockedError, describeBrokenLocks, releaseReporting } from "../../../src/lock/cluster-lock.js";
import { LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { formatLockOwner } from "../../../src/lock/owner.js";
import { HarborHaError } from "../../../src/errors.js";
import { fakeCluster, releasesTheLock } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

const alice = formatLockOwner({ operator: "alice@laptop", command: "reconfigure", pid: 4242, since: "2026-01-01T10:00:00.000Z" });

test("taken on every load balancer in inventory order, with our owner file; released only where it is ours", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  const pool = net.pool(["lb1", "lb2"]);
  const lock = await acquireClusterLock(pool, inv, { command: "provision", force: false });
  assert.deepEqual(net.trace(), ["lb1: take the cluster lock", "lb2: take the cluster lock"]);
  for (const lb of ["lb1", "lb2"])
    assert.match(net.host(lb).read(LOCK_OWNER_PATH) ?? "", new RegExp(`^operator=.*\ncommand=provision\npid=${process.pid}\n`));
  // Someone broke ours on lb2 with --force-unlock and holds it now: left alone.
  net.host("lb2").write(LOCK_OWNER_PATH, `${alice}\n`);
  await lock.release();
  assert.equal(net.host("lb1").read(LOCK_OWNER_PATH), undefined);
  assert.equal(net.host("lb2").read(LOCK_OWNER_PATH), `${alice}\n`);
});

test("held by another run on lb2: refused naming the holder and since when; the part taken on lb1 is given back", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  net.host("lb2").write(LOCK_OWNER_PATH, `${alice}\n`);
  await assert.rejects(acquireClusterLock(net.pool(["lb1", "lb2"]), inv, { command: "provision", force: false }), (e: unknown) => {
    assert.ok(e instanceof ClusterLockedError);
    assert.equal(e.exitCode, 1);
    assert.match(
      e.message,
      /^the cluster is locked: lb2 holds the lock \(\/var\/lib\/harbor-ha\/lock\) of alice@laptop \(reconfigure, pid 4242\) since 2026-01-01T10:00:00\.000Z/,
    );
    assert.match(e.hint ?? "", /--force-unlock/);
    return true;
  });
  assert.equal(net.host("lb1").read(LOCK_OWNER_PATH), undefined, "lb1 released");
  assert.equal(net.host("lb2").read(LOCK_OWNER_PATH), `${alice}\n`, "the holder's lock untouched");
});

test("--force-unlock breaks a dead run's lock, says whose, and takes it", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  net.host("lb1").write(LOCK_OWNER_PATH, `${alice}\n`);
  const lock = await acquireClusterLock(net.pool(["lb1", "lb2"]), inv, { command: "provision", force: true });
  assert.equal(describeBrokenLocks(lock).length, 1, "only lb1's was broken");
  assert.match(describeBrokenLocks(lock)[0] ?? "", /^--force-unlock: broke the cluster lock on lb1 held by alice@laptop \(reconfigure, pid 4242\)/);
  assert.match(net.host("lb1").read(LOCK_OWNER_PATH) ?? "", /command=provision/);
});

test("a release that fails names the host and how to remove the lock by hand; releaseReporting passes it on instead of throwing", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  const lock = await acquireClusterLock(net.pool(["lb1", "lb2"]), inv, { command: "provision", force: false });
  net.host("lb2").on(releasesTheLock, "drop");
  await assert.rejects(
    lock.release(),
    (e: unknown) =>
      e instanceof HarborHaError &&
      e.message === "could not release the cluster lock on lb2" &&
      /rm -rf \/var\/lib\/harbor-ha\/lock as root on lb2/.test(e.hint ?? ""),
  );
  const warned: string[] = [];
  await releaseReporting(lock, (m) => warned.push(m));
  assert.equal(warned.length, 1);
  assert.match(warned[0] ?? "", /^could not release the cluster lock on lb2 — Remove it by hand/);
});

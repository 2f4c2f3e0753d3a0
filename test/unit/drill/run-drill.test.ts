/**
 * The failover drill run whole over the fake cluster (no lab): under the cluster lock it stops
 * keepalived on the VIP holder, sees the VIP move and answer, starts keepalived again, then
 * writes its audit lines and releases the lock — and what cannot be written or released is a
 * problem of the report, never an exception that would skip the restore. Ctrl-C before the
 * lock changes nothing. Takes ~5 s: the restore waits for VRRP to settle (3 adverts + 1 s).
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { runFailoverDrill, vrrpSettleMs } from "../../../src/drill/run-drill.js";
import { FakeClock } from "../../support/fakes/clock.js";
import { InterruptedError } from "../../../src/errors.js";
import type { FakeHost } from "../../support/fakes/fake-hosts.js";
import { LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { VIP } from "../../support/example.js";
import { appendsToTheAuditLog, fakeCluster, releasesTheLock } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";
import { serviceCommand } from "../../../src/steps/commands.js";

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

/** keepalived as the init script runs it: a stop gives the VIP to `backup`, a start runs it again (backup keeps the VIP: no preemption). */
function keepalivedOn(holder: FakeHost, backup: FakeHost): void {
  holder.on(serviceCommand(holder.facts.init, "keepalived", "stop"), () => {
    holder.facts.keepalived = { running: false };
    holder.facts.vips[VIP] = false;
    backup.facts.vips[VIP] = true;
    return {};
  });
  holder.on(serviceCommand(holder.facts.init, "keepalived", "start"), () => {
    holder.facts.keepalived = { running: true, pid: 913 };
    return {};
  });
}

test("lock → stop on the holder → takeover and answer → restore → audit lines → release; a failed audit line and release are problems of the report", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  keepalivedOn(net.host("lb1"), net.host("lb2"));
  net.host("lb2").on(appendsToTheAuditLog, { code: 1, stderr: "Read-only file system\n" });
  net.host("lb1").on(releasesTheLock, "drop");
  const notes: string[] = [];
  const clock = new FakeClock();
  const report = await runFailoverDrill(inv, {
    acceptNewHostKeys: false,
    forceUnlock: false,
    connect: net.connect,
    clock,
    emit: (e) => {
      if (e.type === "note") notes.push(e.message);
    },
  });
  assert.equal(report.stoppedOn, "lb1");
  assert.equal(report.newHolder, "lb2");
  // lb2 holds the VIP at the first look and answers at once: measured on the drill's clock, no time passed.
  assert.deepEqual([report.takeoverMs, report.answerMs], [0, 0]);
  assert.deepEqual(clock.sleeps, [vrrpSettleMs(inv)], "the one wait: VRRP settling after the restart, on the drill's clock");
  assert.equal(report.restored, true);
  assert.equal(report.holderAfter, "lb2");
  assert.deepEqual(net.trace(/cluster lock|keepalived \(failover|audit/), [
    "lb1: take the cluster lock",
    "lb2: take the cluster lock",
    "lb1: stop keepalived (failover drill)",
    "lb1: start keepalived (failover drill restore)",
    "lb1: append to the audit log",
    "lb2: append to the audit log",
    "lb1: release the cluster lock",
    "lb2: release the cluster lock",
  ]);
  assert.match(
    net.calls.find((c) => c.host === "lb1" && c.step === "append to the audit log")?.argv.join(" ") ?? "",
    /failover-drill: stopped keepalived on lb1/,
  );
  assert.equal(report.problems.length, 2, report.problems.join("\n"));
  assert.match(report.problems[0] ?? "", /^lb2: could not append to the audit log: .*Read-only file system/s);
  assert.match(report.problems[1] ?? "", /^could not release the cluster lock on lb1 — Remove it by hand/);
  assert.equal(net.host("lb2").read(LOCK_OWNER_PATH), undefined, "released where it could be");
  assert.ok(notes.includes("stopping keepalived on lb1") && notes.includes("starting keepalived on lb1 again"), notes.join("\n"));
});

test("Ctrl-C before the lock: exit 130 naming the drill's preflight; keepalived untouched, no lock taken", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  await assert.rejects(
    runFailoverDrill(inv, { acceptNewHostKeys: false, forceUnlock: false, connect: net.connect, isInterrupted: () => true }),
    (e: unknown) =>
      e instanceof InterruptedError &&
      e.exitCode === 130 &&
      /^interrupted \(Ctrl-C\) during the drill's preflight; nothing was changed/.test(e.message),
  );
  assert.deepEqual(
    net.calls.filter((c) => c.kind !== "facts").map((c) => c.step),
    [],
  );
});

test("--limit lb2 while lb1 holds the VIP: refused before the lock, keepalived untouched", async () => {
  cluster = fakeCluster();
  const { net, inv } = cluster;
  keepalivedOn(net.host("lb1"), net.host("lb2"));
  await assert.rejects(
    runFailoverDrill(inv, { acceptNewHostKeys: false, forceUnlock: false, connect: net.connect, limit: ["lb2"] }),
    (e: unknown) =>
      e instanceof Error &&
      /^failover drill refused: the VIP holder lb1 is outside --limit \(lb2\); nothing was changed/.test(e.message) &&
      /include lb1 in --limit/.test((e as { hint?: string }).hint ?? ""),
  );
  assert.deepEqual(
    net.calls.filter((c) => c.kind !== "facts").map((c) => c.step),
    [],
  );
  assert.equal(net.host("lb1").facts.keepalived?.running, true);
});

/**
 * The failover drill against the lab's real keepalived: the VIP moves within 5 s, the
 * VIP answers, and afterwards exactly one load balancer holds it with keepalived running
 * on both. Refused when keepalived is already down somewhere.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";
import { vipHolders } from "./helpers/cluster.js";

async function keepalivedRuns(lab: Lab, host: string): Promise<boolean> {
  const r = await lab.sshRun(
    host,
    "p=$(cat /run/keepalived.pid) && grep -q keepalived /proc/$p/comm && ! grep -q '^State:[[:space:]]*Z' /proc/$p/status && echo yes",
  );
  return r.stdout.trim() === "yes";
}

describe("failover-drill (lab: 2 load balancers, 2 Harbor nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 2, protocol: "http" });
  });
  after(async () => {
    await labDown();
  });

  it("moves the VIP within 5 s, the VIP answers, and the cluster is restored", async () => {
    const [holderBefore] = await vipHolders(lab);
    assert.ok(holderBefore);
    const r = await runCli(["failover-drill", lab.inventoryPath, "--json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { run, details: report } = JSON.parse(r.stdout) as {
      run: { ok: boolean };
      details: { stoppedOn: string; newHolder: string; takeoverMs: number; answerMs: number; restored: boolean };
    };
    assert.equal(run.ok, true);
    assert.equal(report.stoppedOn, holderBefore);
    assert.notEqual(report.newHolder, holderBefore);
    assert.ok(report.takeoverMs > 0 && report.takeoverMs < 5000, `takeover took ${report.takeoverMs} ms`);
    assert.ok(report.answerMs >= report.takeoverMs && report.answerMs < 5000, `answer after ${report.answerMs} ms`);
    assert.equal(report.restored, true);
    assert.equal((await vipHolders(lab)).length, 1);
    for (const lb of ["lb1", "lb2"]) {
      assert.ok(await keepalivedRuns(lab, lb), `keepalived runs on ${lb}`);
      assert.match((await lab.sshRun(lb, "cat /var/log/harbor-ha/audit.log")).stdout, /failover-drill: stopped keepalived on /);
      assert.equal((await lab.sshRun(lb, "test -e /var/lib/harbor-ha/lock && echo held || echo free")).stdout.trim(), "free");
    }
  });

  it("refuses while keepalived is stopped on a load balancer, and changes nothing", async () => {
    const [holder] = await vipHolders(lab);
    const other = holder === "lb1" ? "lb2" : "lb1";
    await lab.sshRun(other, "service keepalived stop");
    // The init script returns before keepalived has exited: wait until it is gone.
    for (let i = 0; i < 50 && (await keepalivedRuns(lab, other)); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await keepalivedRuns(lab, other), false, `keepalived still runs on ${other}`);
    try {
      const r = await runCli(["failover-drill", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`failover drill refused: keepalived is not running on ${other}; nothing was changed`));
      assert.deepEqual(await vipHolders(lab), [holder]);
    } finally {
      await lab.sshRun(other, "service keepalived start");
    }
  });
});

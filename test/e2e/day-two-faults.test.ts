/**
 * Faults during day-two runs (issue 19), on the lab in HAProxy mode (https, 2 load balancers,
 * 2 Harbor nodes, Harbor 1.4's own installer):
 * - a node left in HAProxy's DRAIN state (what a reconfigure killed between its health gate and
 *   its undrain leaves) is drift: status names it, provision --dry-run plans it back, provision
 *   puts it back; reconfigure rolls it back first, never taking a second node out;
 * - MariaDB stopped while a node's Harbor restarts: the run stops within seconds (in the start-up
 *   wait or the health gate, whichever is under way) naming MariaDB, not after --health-timeout-s;
 *   with MariaDB back, the same command converges.
 * (No VIP holder is tested on fakes only: keepalived puts back a VIP address removed by hand.)
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";

const LBS = ["lb1", "lb2"];
const SOCKET = "/run/haproxy/admin.sock";
const runtime = (c: string) => `printf '%s\\n' '${c}' | socat -t 5 stdio unix-connect:${SOCKET}`;

/** HAProxy's status of a node's servers (every backend) on a load balancer: "UP", "DRAIN", … each once. */
async function statesOf(lab: Lab, lb: string, node: string): Promise<string[]> {
  const r = await lab.sshRun(lb, runtime("show stat"));
  const states = r.stdout
    .split("\n")
    .map((l) => l.split(","))
    .filter((f) => f[1] === node)
    .map((f) => f[17] ?? "");
  return [...new Set(states)];
}

/** What a reconfigure killed after harbor2's health gate leaves: its servers in DRAIN on every load balancer. */
async function drainByHand(lab: Lab, node: string): Promise<void> {
  for (const lb of LBS)
    for (const backend of ["harbor_80", "harbor_443"]) {
      const r = await lab.sshRun(lb, runtime(`set server ${backend}/${node} state drain`));
      assert.equal(r.code, 0, `${lb}: ${r.stderr}`);
    }
  for (const lb of LBS) assert.deepEqual(await statesOf(lab, lb, node), ["DRAIN"], `${lb}: ${node} drained`);
}

describe("faults during day-two runs (haproxy, https lab: 2 load balancers, 2 Harbor nodes)", { timeout: 2_400_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 2, protocol: "https", loadBalancing: "haproxy" });
  });
  after(async () => {
    await labDown();
  });

  it("a node left drained by a killed run: status names it, provision --dry-run plans it back, provision puts it back", async () => {
    await drainByHand(lab, "harbor2");
    const status = await runCli(["status", lab.inventoryPath]);
    assert.equal(status.code, 1, status.stdout);
    assert.match(`${status.stdout}${status.stderr}`, /holds harbor2 drained: out of service/);
    const dry = await runCli(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(dry.code, 3, `${dry.stdout}\n${dry.stderr}`);
    assert.match(dry.stdout, /put harbor2 back in service on lb1, lb2 once its health gate passes/);
    const r = await runCli(["provision", lab.inventoryPath]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const lb of LBS) assert.deepEqual(await statesOf(lab, lb, "harbor2"), ["UP"], `${lb}: harbor2 back in service`);
  });

  it("reconfigure --force-unlock after the kill rolls the drained node back first, alone, with --serial 1", async () => {
    await drainByHand(lab, "harbor2");
    const json = join(lab.dir, "faults-reconfigure.json");
    const r = await runCli(["reconfigure", lab.inventoryPath, "--force-unlock", "--serial", "1", "--json", json]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(readFileSync(json, "utf8")) as { details: { batches: string[][] } };
    assert.deepEqual(report.details.batches, [["harbor2"]]);
    for (const lb of LBS) {
      assert.deepEqual(await statesOf(lab, lb, "harbor2"), ["UP"], `${lb}: harbor2 back in service`);
      assert.deepEqual(await statesOf(lab, lb, "harbor1"), ["UP"], `${lb}: harbor1 never taken out`);
    }
  });

  it("MariaDB stopped while a node's Harbor restarts: the run stops within seconds naming MariaDB; with it back, the run converges", async () => {
    const changed = join(lab.dir, "inventory-faults-db.yaml");
    const text = readFileSync(lab.inventoryPath, "utf8");
    writeFileSync(changed, text.replace("  with_clair: false\n", "  with_clair: false\n  extra_cfg:\n    log_rotate_count: 7\n"));
    const db = lab.hosts.find((h) => h.role === "db")?.name ?? "db";
    let stoppedAt = 0;
    const r = await runCli(["reconfigure", changed, "--serial", "1"], {
      timeoutMs: 900_000,
      // Once install.sh ran on the first node (its start-up wait under way), MariaDB goes.
      onStderr: async (all) => {
        if (stoppedAt === 0 && /wait for Harbor to start/.test(all)) {
          stoppedAt = Date.now();
          await lab.sshRun(db, "mariadb-admin --protocol=socket shutdown");
        }
      },
    });
    try {
      assert.ok(stoppedAt > 0, `the start-up wait was never reached:\n${r.stderr}`);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /MariaDB at [0-9.]+:3306 does not accept connections/);
      assert.doesNotMatch(r.stderr, /did not finish starting|still failing after/);
      assert.ok(Date.now() - stoppedAt < 60_000, `stopped ${Math.round((Date.now() - stoppedAt) / 1000)} s after MariaDB went`);
    } finally {
      await lab.sshRun(
        db,
        "setsid mariadbd --user=mysql </dev/null >>/var/log/mysql/mariadbd.log 2>&1 & for _ in $(seq 1 100); do mariadb-admin --protocol=socket ping >/dev/null 2>&1 && break; sleep 0.1; done",
      );
    }
    const again = await runCli(["reconfigure", changed, "--serial", "1"], { timeoutMs: 900_000 });
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    const status = await runCli(["status", changed]);
    assert.equal(status.code, 0, `${status.stdout}\nthe run before it:\n${again.stdout}\n${again.stderr}`);
  });
});

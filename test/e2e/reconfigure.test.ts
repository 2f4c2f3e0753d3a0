/**
 * reconfigure against the lab (2 load balancers, 3 Harbor nodes, https): a harbor.cfg change
 * rolls one node at a time while a watcher polls every node's check.sh from a load balancer;
 * a node that fails mid-roll stops it, leaving the others untouched and in service; fixing
 * and running again resumes and finishes.
 */
import { assertRunMatchesDryRun } from "./helpers/roll-json.js";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";
import { mostOutAtOnce, watchNodeHealth } from "./helpers/watch.js";

function variant(lab: Lab, name: string, edit: (text: string) => string): string {
  const text = readFileSync(lab.inventoryPath, "utf8");
  const path = join(lab.dir, name);
  const edited = edit(text);
  assert.notEqual(edited, text, `${name}: the edit changed nothing`);
  writeFileSync(path, edited);
  return path;
}

/** log_rotate_count: a harbor.cfg key Harbor's prepare renders into a file on every run (not one Harbor keeps in its database). */
function withRotateCount(text: string, n: number): string {
  return text.replace("  with_clair: false\n", `  with_clair: false\n  extra_cfg:\n    log_rotate_count: ${n}\n`);
}

/** The log_rotate_count Harbor's prepare last wrote on the node (common/config/log/logrotate.conf). */
async function rotateCount(lab: Lab, node: string): Promise<string> {
  const r = await lab.sshRun(node, "sed -n 's/^ *rotate //p' /opt/harbor/common/config/log/logrotate.conf");
  return r.stdout.trim();
}

async function drainMarkers(lab: Lab, lb: string): Promise<string[]> {
  const r = await lab.sshRun(lb, "ls /var/lib/harbor-ha/drain");
  return r.stdout.split("\n").filter(Boolean);
}

describe("reconfigure (https lab: 2 load balancers, 3 Harbor nodes)", { timeout: 1_200_000 }, () => {
  let lab: Lab;
  let nodes: Array<{ name: string; address: string }>;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 3, protocol: "https" });
    nodes = lab.hosts.filter((h) => h.role === "harbor-node").map((h) => ({ name: h.name, address: h.address }));
  });
  after(async () => {
    await labDown();
  });

  it("refuses up front a --serial that would take every healthy node out, changing nothing", async () => {
    const inv = variant(lab, "inv-serial.yaml", (t) => withRotateCount(t, 4));
    const r = await runCli(["reconfigure", inv, "--serial", "3"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /draining harbor1, harbor2, harbor3 \(--serial 3\) would leave no healthy node in service/);
    for (const n of nodes) assert.notEqual(await rotateCount(lab, n.name), "4");
    assert.deepEqual(await drainMarkers(lab, "lb1"), []);
  });

  it("dry-run shows the plan and the batches, exit 3", async () => {
    const inv = variant(lab, "inv-5.yaml", (t) => withRotateCount(t, 5));
    const r = await runCli(["reconfigure", inv, "--dry-run"]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /\+log_rotate_count = 5/);
    assert.match(r.stdout, /stage \d, roll: Harbor nodes in batches of 1/);
    assert.match(r.stdout, /roll \[harbor1\] → \[harbor2\] → \[harbor3\]/);
    const dry = await runCli(["reconfigure", inv, "--dry-run", "--json", join(lab.dir, "reconfigure-dry.json")]);
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
  });

  it("rolls a harbor.cfg change across 3 nodes, never more than one out of service", async () => {
    const inv = join(lab.dir, "inv-5.yaml");
    const watch = watchNodeHealth(
      lab,
      "lb1",
      nodes.map((n) => n.address),
    );
    const jsonPath = join(lab.dir, "reconfigure.json");
    const r = await runCli(["reconfigure", inv, "--json", jsonPath]);
    const rounds = await watch.stop();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(rounds.length > 20, `the watcher saw only ${rounds.length} rounds`);
    const worst = mostOutAtOnce(rounds);
    assert.equal(worst, 1, "exactly one node at a time was out of service (and the drain was seen)");
    // Each node was out at some point: the roll touched all three.
    for (const n of nodes)
      assert.ok(
        rounds.some((m) => m.get(n.address) === false),
        `${n.name} was never seen drained`,
      );
    for (const n of nodes) assert.equal(await rotateCount(lab, n.name), "5", n.name);
    assert.deepEqual(await drainMarkers(lab, "lb1"), []);
    assert.deepEqual(await drainMarkers(lab, "lb2"), []);
    const report = JSON.parse(readFileSync(jsonPath, "utf8")) as { run: { ok: boolean }; details: { nodes: { changed: string[] } } };
    assert.equal(report.run.ok, true);
    assert.deepEqual(report.details.nodes.changed, ["harbor1", "harbor2", "harbor3"]);
    assertRunMatchesDryRun(join(lab.dir, "reconfigure-dry.json"), jsonPath);
    const audit = await lab.sshRun("harbor2", "cat /var/log/harbor-ha/audit.log");
    assert.match(audit.stdout, /reconfigure/);
    const again = await runCli(["reconfigure", inv]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to change/);
  });

  it("a node failing mid-roll stops it: it stays drained, the rest untouched and in service; running again resumes", async () => {
    const h2 = lab.host("harbor2").address;
    // A node whose Harbor installer is broken (prepare not executable): install.sh fails there.
    await lab.sshRun("harbor2", "chmod -x /opt/harbor/prepare");
    const inv7 = variant(lab, "inv-7.yaml", (t) => withRotateCount(t, 7));
    const jsonPath = join(lab.dir, "reconfigure-broken.json");
    const r = await runCli(["reconfigure", inv7, "--json", jsonPath]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /harbor2 failed while applying/);
    assert.match(r.stderr, /not touched: harbor3 \(in service, unchanged\)/);
    assert.match(r.stderr, /run the same command again/);
    const { run, details } = JSON.parse(readFileSync(jsonPath, "utf8")) as {
      run: { ok: boolean };
      details: { nodes: { changed: string[]; failed: Array<{ node: string }>; notTouched: string[] }; resume: string };
    };
    assert.equal(run.ok, false);
    assert.deepEqual(details.nodes.changed, ["harbor1"]);
    assert.deepEqual(
      details.nodes.failed.map((f) => f.node),
      ["harbor2"],
    );
    assert.deepEqual(details.nodes.notTouched, ["harbor3"]);
    assert.match(details.resume, /harbor-ha reconfigure/);

    assert.equal(await rotateCount(lab, "harbor1"), "7");
    assert.equal(await rotateCount(lab, "harbor3"), "5", "harbor3 was not touched");
    for (const lb of ["lb1", "lb2"]) {
      assert.deepEqual(await drainMarkers(lab, lb), [h2], `${lb}: harbor2 stays drained`);
      for (const n of ["harbor1", "harbor3"]) {
        const c = await lab.sshRun(lb, `/usr/local/bin/check.sh ${lab.host(n).address}`);
        assert.equal(c.code, 0, `${n} in service from ${lb}: ${c.stderr}`);
      }
    }

    await lab.sshRun("harbor2", "chmod +x /opt/harbor/prepare");
    const resumed = await runCli(["reconfigure", inv7]);
    assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
    for (const n of nodes) assert.equal(await rotateCount(lab, n.name), "7", n.name);
    assert.deepEqual(await drainMarkers(lab, "lb1"), []);
    assert.deepEqual(await drainMarkers(lab, "lb2"), []);
  });

  it("a node that installs but then fails its health gate mid-roll stops the roll; the others stay in service", async () => {
    const h2 = lab.host("harbor2").address;
    const inv = variant(lab, "inv-9.yaml", (t) => withRotateCount(t, 9));
    // Once the roll has started on harbor1, harbor2 stops answering HTTPS from other hosts (its install, checked on loopback, will
    // succeed; only the health gate can see the problem).
    const blocker = (async () => {
      for (let i = 0; i < 600; i++) {
        if ((await drainMarkers(lab, "lb1")).length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await lab.sshRun("harbor2", "iptables -I INPUT ! -i lo -p tcp --dport 443 -j REJECT");
    })();
    const r = await runCli(["reconfigure", inv, "--health-timeout-s", "8"]);
    await blocker;
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /harbor2/);
    assert.match(r.stderr, /health gate: still failing after 8 s/);
    assert.match(r.stderr, /not touched: harbor3 \(in service, unchanged\)/);
    assert.equal(await rotateCount(lab, "harbor1"), "9");
    assert.equal(await rotateCount(lab, "harbor3"), "7", "harbor3 was not touched");
    for (const lb of ["lb1", "lb2"]) {
      assert.deepEqual(await drainMarkers(lab, lb), [h2], `${lb}: harbor2 stays drained`);
      for (const n of ["harbor1", "harbor3"]) {
        const c = await lab.sshRun(lb, `/usr/local/bin/check.sh ${lab.host(n).address}`);
        assert.equal(c.code, 0, `${n} in service from ${lb}: ${c.stderr}`);
      }
    }

    await lab.sshRun("harbor2", "iptables -D INPUT ! -i lo -p tcp --dport 443 -j REJECT");
    const resumed = await runCli(["reconfigure", inv]);
    assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
    for (const n of nodes) assert.equal(await rotateCount(lab, n.name), "9", n.name);
    assert.deepEqual(await drainMarkers(lab, "lb1"), []);
    assert.deepEqual(await drainMarkers(lab, "lb2"), []);
  });
});

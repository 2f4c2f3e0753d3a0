/**
 * Scaling against the lab (2 load balancers, 4 Harbor hosts, https): provision 3 nodes, add
 * harbor4 (provisioned and healthy before any load balancer gets it), remove it again
 * (drained and off the load balancers before its Harbor stops). The three other nodes keep
 * serving throughout, and the load balancers' keepalived.conf is exactly the render each time.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { renderLab, sha256, statFiles } from "./helpers/cluster.js";
import { watchNodeHealth } from "./helpers/watch.js";

const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

async function assertLbConfigsAre(lab: Lab, inventoryPath: string): Promise<void> {
  const desired = await renderLab(inventoryPath);
  for (const lb of ["lb1", "lb2"]) {
    const want = desired.hosts.find((h) => h.host.name === lb)?.files.find((f) => f.path === KEEPALIVED_CONF);
    const seen = await statFiles(lab, lb, [KEEPALIVED_CONF]);
    assert.equal(seen.get(KEEPALIVED_CONF)?.sha256, sha256(want?.content ?? ""), `${lb}: keepalived.conf is the render of ${inventoryPath}`);
  }
}

describe("scale 3 → 4 → 3 (https lab: 2 load balancers, 4 Harbor hosts)", { timeout: 1_200_000 }, () => {
  let lab: Lab;
  let three: string;
  let watched: string[];
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 4, protocol: "https" });
    const h4 = lab.host("harbor4").address;
    const text = readFileSync(lab.inventoryPath, "utf8");
    const without = text.replace(`  - name: harbor4\n    address: ${h4}\n`, "");
    assert.notEqual(without, text, "harbor4 is in the lab inventory");
    three = join(lab.dir, "inventory-3.yaml");
    writeFileSync(three, without);
    const r = await runCli(["provision", three]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    watched = ["harbor1", "harbor2", "harbor3"].map((n) => lab.host(n).address);
  });
  after(async () => {
    await labDown();
  });

  it("scale out: harbor4 is provisioned and healthy before the load balancers get it; the others keep serving", async () => {
    await assertLbConfigsAre(lab, three);
    const watch = watchNodeHealth(lab, "lb1", watched);
    const r = await runCli(["reconfigure", lab.inventoryPath]);
    const rounds = await watch.stop();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(rounds.length > 5, `the watcher saw ${rounds.length} rounds`);
    assert.ok(
      rounds.every((m) => [...m.values()].every(Boolean)),
      "harbor1..3 passed check.sh in every round",
    );
    const installed = r.stderr.indexOf("harbor4: run install.sh");
    const lbWrite = r.stderr.indexOf(`: write ${KEEPALIVED_CONF}`);
    assert.ok(installed >= 0 && lbWrite > installed, `harbor4 installed before any keepalived.conf changed:\n${r.stderr}`);
    assert.match(r.stdout, /scaled out: harbor4/);
    await assertLbConfigsAre(lab, lab.inventoryPath);
    for (const lb of ["lb1", "lb2"]) {
      const c = await lab.sshRun(lb, `/usr/local/bin/check.sh ${lab.host("harbor4").address}`);
      assert.equal(c.code, 0, `harbor4 from ${lb}: ${c.stderr}`);
    }
  });

  it("scale in: harbor4 is drained and taken off the load balancers, then its Harbor stops (files kept)", async () => {
    const h4 = lab.host("harbor4").address;
    const watch = watchNodeHealth(lab, "lb1", watched);
    const r = await runCli(["reconfigure", three]);
    const rounds = await watch.stop();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(
      rounds.every((m) => [...m.values()].every(Boolean)),
      "harbor1..3 passed check.sh in every round",
    );
    assert.match(r.stdout, new RegExp(`scaled in: ${h4.replace(/\./g, "\\.")}`));
    await assertLbConfigsAre(lab, three);
    const up = await lab.sshRun("harbor4", "curl -ks -o /dev/null -w '%{http_code}' --max-time 2 https://127.0.0.1/api/systeminfo");
    assert.notEqual(up.stdout.trim(), "200", "Harbor on harbor4 is stopped");
    const kept = await lab.sshRun("harbor4", "test -f /opt/harbor/harbor.cfg && echo kept");
    assert.equal(kept.stdout.trim(), "kept", "its files are kept without --purge");
    for (const lb of ["lb1", "lb2"])
      assert.equal((await lab.sshRun(lb, "ls /var/lib/harbor-ha/drain")).stdout.trim(), "", `${lb}: no drain marker left`);
    const again = await runCli(["reconfigure", three]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to change/);
  });
});

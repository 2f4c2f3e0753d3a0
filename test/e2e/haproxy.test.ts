/**
 * load_balancing: haproxy against the lab (https, 2 load balancers, 3 nodes, Harbor 1.4's own
 * offline installer), with real clients through the VIP (lab/clients/client.sh vip: skopeo
 * and curl on this machine, registry.lab.test resolving to the VIP, the lab CA):
 * - an lvs-dr cluster switched to haproxy by reconfigure (the nodes' VIP rules go), and a
 *   switch back refused with the reason, changing nothing;
 * - push and pull through the VIP;
 * - a loop of pulls through the VIP during a rolling reconfigure of every node: none fails;
 * - status shows every backend server's state and sessions;
 * - a node whose Harbor dies is taken out by HAProxy's health check within fall × (inter + timeout);
 * - the failover drill measures the VIP move with real HTTPS requests, while pulls loop through the VIP.
 */
import { assertRunMatchesDryRun } from "./helpers/roll-json.js";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { makeImage, pullImage, pullLoop, pushImage } from "./helpers/registry.js";

const NODES = ["harbor1", "harbor2", "harbor3"];
const SHOW_STAT = `printf 'show stat\\n' | socat -t 5 stdio unix-connect:/run/haproxy/admin.sock`;

/** Server name → HAProxy's status word, for one backend, on a load balancer. */
async function serverStates(lab: Lab, lb: string, backend = "harbor_443"): Promise<Map<string, string>> {
  const r = await lab.sshRun(lb, SHOW_STAT);
  const rows = r.stdout
    .split("\n")
    .filter((l) => l.startsWith(`${backend},`))
    .map((l) => l.split(","));
  return new Map(rows.filter((f) => f[1] !== "BACKEND" && f[1] !== "FRONTEND").map((f) => [f[1] ?? "", f[17] ?? ""]));
}

async function waitFor(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await ok()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("load_balancing: haproxy (https lab: 2 load balancers, 3 Harbor nodes, Harbor 1.4's own installer)", { timeout: 2_400_000 }, () => {
  let lab: Lab;
  let work: string;
  let lvsInventory: string;
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 3, protocol: "https", loadBalancing: "haproxy" });
    work = mkdtempSync(join(tmpdir(), "hha-haproxy-"));
    const text = readFileSync(lab.inventoryPath, "utf8");
    const lvs = text.replace(/\n# HAProxy behind the VIP[^\n]*\nload_balancing: haproxy\nhaproxy:\n(  [^\n]*\n)+/, "\n");
    assert.notEqual(lvs, text, "the lab's inventory has the haproxy block");
    lvsInventory = join(lab.dir, "inventory-lvs-dr.yaml");
    writeFileSync(lvsInventory, lvs);
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await labDown();
  });

  it("an lvs-dr cluster switches to haproxy with reconfigure: HAProxy serves on every load balancer, the nodes' VIP rules are gone", async () => {
    const first = await runCli(["provision", lvsInventory]);
    assert.equal(first.code, 0, `provision (lvs-dr): ${first.stdout}\n${first.stderr}`);
    assert.equal((await lab.sshRun("harbor1", "iptables -t nat -S HARBOR_HA_VIP")).code, 0, "lvs-dr put the VIP rules in place");
    const dryJson = join(lab.dir, "switch-dry.json");
    const runJson = join(lab.dir, "switch.json");
    const dry = await runCli(["reconfigure", lab.inventoryPath, "--dry-run", "--json", dryJson]);
    assert.equal(dry.code, 3, `reconfigure --dry-run to haproxy: ${dry.stdout}\n${dry.stderr}`);
    const r = await runCli(["reconfigure", lab.inventoryPath, "--json", runJson], { timeoutMs: 900_000 });
    assert.equal(r.code, 0, `reconfigure to haproxy: ${r.stdout}\n${r.stderr}`);
    assertRunMatchesDryRun(dryJson, runJson);
    for (const lb of ["lb1", "lb2"]) {
      const conf = await lab.sshRun(lb, "cat /etc/keepalived/keepalived.conf; echo ==; cat /etc/haproxy/haproxy.cfg");
      assert.doesNotMatch(conf.stdout, /virtual_server/);
      assert.match(conf.stdout, /track_script/);
      await waitFor(`${lb}: every node UP in HAProxy`, 30_000, async () => [...(await serverStates(lab, lb)).values()].join(",") === "UP,UP,UP");
    }
    for (const node of NODES) {
      assert.notEqual((await lab.sshRun(node, "iptables -t nat -S HARBOR_HA_VIP")).code, 0, `${node}: the VIP chain is gone`);
      assert.equal((await lab.sshRun(node, "test -e /usr/local/sbin/harbor-ha-vip-accept && echo present || echo absent")).stdout.trim(), "absent");
    }
  });

  it("a second provision changes nothing and reloads nothing", async () => {
    const pids = await Promise.all(["lb1", "lb2"].map(async (lb) => (await lab.sshRun(lb, "cat /run/haproxy.pid")).stdout.trim()));
    const dry = await runCli(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(dry.code, 0, `${dry.stdout}\n${dry.stderr}`);
    const after = await Promise.all(["lb1", "lb2"].map(async (lb) => (await lab.sshRun(lb, "cat /run/haproxy.pid")).stdout.trim()));
    assert.deepEqual(after, pids);
  });

  it("switching back to lvs-dr is refused with the reason, and nothing changes", async () => {
    const before = (await lab.sshRun("lb1", "sha256sum /etc/keepalived/keepalived.conf")).stdout;
    const r = await runCli(["provision", lvsInventory]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /switching back to LVS direct routing is refused/);
    assert.match(r.stderr, /VIP acceptance rules on every Harbor node/);
    assert.equal((await lab.sshRun("lb1", "sha256sum /etc/keepalived/keepalived.conf")).stdout, before);
  });

  it("pushes through the VIP and pulls through the VIP", async () => {
    const oci = join(work, "src");
    await makeImage(oci, "1", "pushed through the VIP");
    const push = await pushImage(lab, "vip", oci, "1", "hello");
    assert.equal(push.code, 0, `push: ${push.stdout}\n${push.stderr}`);
    const pull = await pullImage(lab, "vip", "hello", "1", join(work, "pulled"));
    assert.equal(pull.code, 0, `pull: ${pull.stdout}\n${pull.stderr}`);
    // It went through HAProxy on the VIP holder: its servers counted those connections (stot).
    const holder = (await lab.sshRun("lb1", `ip -o -4 addr show | grep -q ' ${lab.vip}/' && echo lb1 || echo lb2`)).stdout.trim();
    const stat = await lab.sshRun(holder, SHOW_STAT);
    const total = stat.stdout
      .split("\n")
      .filter((l) => /^harbor_443,harbor\d,/.test(l))
      .reduce((n, l) => n + Number(l.split(",")[7]), 0);
    assert.ok(total > 0, `HAProxy on ${holder} counted no connection to the nodes:\n${stat.stdout}`);
  });

  it("a loop of pulls through the VIP during a rolling reconfigure of every node loses none", async (t) => {
    const text = readFileSync(lab.inventoryPath, "utf8");
    const changed = join(lab.dir, "inventory-rotate.yaml");
    writeFileSync(changed, text.replace("  with_clair: false\n", "  with_clair: false\n  extra_cfg:\n    log_rotate_count: 7\n"));
    const loop = pullLoop(lab, work);
    const r = await runCli(["reconfigure", changed], { timeoutMs: 900_000 });
    const { made, failures } = await loop.stop();
    t.diagnostic(`pulls through the VIP during the roll: ${made} made, ${failures.length} failed`);
    assert.equal(r.code, 0, `reconfigure: ${r.stdout}\n${r.stderr}`);
    for (const node of NODES) assert.match(r.stdout + r.stderr, new RegExp(`${node}`));
    for (const node of NODES) {
      const rotate = await lab.sshRun(node, "sed -n 's/^ *rotate //p' /opt/harbor/common/config/log/logrotate.conf");
      assert.equal(rotate.stdout.trim(), "7", `${node} rolled`);
    }
    assert.ok(made >= 10, `only ${made} pulls were made during the roll`);
    assert.deepEqual(failures, [], `${failures.length} of ${made} pulls through the VIP failed`);
  });

  it("status shows each backend server's state and sessions on every load balancer", async (t) => {
    const inventory = join(lab.dir, "inventory-rotate.yaml");
    type Report = {
      problems: Array<{ host: string; message: string }>;
      details: {
        loadBalancers: Array<{
          name: string;
          haproxy?: { running: boolean; servers: Array<{ backend: string; server: string; status: string; sessions: number }> };
        }>;
      };
    };
    // check.sh gives each request half of check_timeout_s (1.5 s here): on this shared machine a
    // slow answer from the lab's stand-in can fail one round, so status may take a second look.
    let report: Report | undefined;
    for (let round = 1; round <= 3; round++) {
      const r = await runCli(["status", inventory, "--json"]);
      report = JSON.parse(r.stdout) as Report;
      if (r.code === 0) break;
      t.diagnostic(`status round ${round}: exit ${r.code}: ${report.problems.map((p) => `${p.host}: ${p.message}`).join("; ")}`);
    }
    assert.ok(report);
    for (const lb of report.details.loadBalancers) {
      assert.equal(lb.haproxy?.running, true, lb.name);
      assert.deepEqual(
        lb.haproxy?.servers.map((s) => `${s.backend}/${s.server} ${s.status}`).sort(),
        ["harbor_443", "harbor_80"].flatMap((b) => NODES.map((n) => `${b}/${n} UP`)).sort(),
      );
      assert.ok(lb.haproxy?.servers.every((s) => Number.isInteger(s.sessions)));
    }
    assert.deepEqual(report.problems, [], "status is healthy");
    const text = await runCli(["status", inventory]);
    assert.match(text.stdout, /lb1 HAProxy: harbor_80\/harbor1 UP \d+ sessions?/);
  });

  it("a node whose Harbor dies is taken out by HAProxy's health check within fall × (inter + timeout)", async (t) => {
    // The lab inventory: check_interval_s 1, fall 2, keepalived.check_timeout_s 3.
    const limitMs = 2 * (1 + 3) * 1000;
    // Timed from the moment the stop begins (Harbor's proxy goes first), on both load balancers at once.
    const t0 = Date.now();
    const stop = lab.sshRun("harbor2", "cd /opt/harbor && docker-compose -f docker-compose.yml stop", { timeoutMs: 120_000 });
    try {
      const ms = await Promise.all(
        ["lb1", "lb2"].map(async (lb) => {
          await waitFor(
            `${lb} takes harbor2 out`,
            limitMs + 5000,
            async () => (await serverStates(lab, lb)).get("harbor2")?.startsWith("DOWN") === true,
          );
          return Date.now() - t0;
        }),
      );
      const stopped = await stop;
      assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
      t.diagnostic(`HAProxy marked harbor2 DOWN ${ms.join(" / ")} ms after the stop began (limit fall × (inter + timeout) = ${limitMs} ms)`);
      for (const m of ms) assert.ok(m <= limitMs + 1000, `took ${m} ms`);
      const pull = await pullImage(lab, "vip", "hello", "1", join(work, "pulled-without-harbor2"));
      assert.equal(pull.code, 0, `a pull through the VIP with harbor2 down: ${pull.stderr}`);
    } finally {
      await stop;
      await lab.sshRun("harbor2", "cd /opt/harbor && docker-compose -f docker-compose.yml start", { timeoutMs: 120_000 });
    }
    await waitFor("harbor2 back UP on every load balancer", 120_000, async () =>
      (await Promise.all(["lb1", "lb2"].map(async (lb) => (await serverStates(lab, lb)).get("harbor2")))).every((s) => s === "UP"),
    );
  });

  it("the failover drill measures the VIP move with real HTTPS requests; pulls through the VIP go on", async (t) => {
    // A client's connection held by the stopped load balancer's HAProxy cannot move with the VIP:
    // the pulls here retry a failed request as docker's own client does (skopeo --retry-times).
    const loop = pullLoop(lab, work, { retryTimes: 3 });
    const r = await runCli(["failover-drill", lab.inventoryPath.replace("inventory.yaml", "inventory-rotate.yaml")]);
    await new Promise((res) => setTimeout(res, 5000));
    const { made, failures } = await loop.stop();
    t.diagnostic(
      `pulls through the VIP during the drill: ${made} made, ${failures.length} failed; drill: ${r.stdout.trim().split("\n").join(" | ")}`,
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /HTTPS GET \/api\/systeminfo for registry\.lab\.test through the VIP was answered 200 \(from this machine\) after \d+ ms\./,
    );
    assert.match(r.stdout, /Requests through the VIP from the stop until then: \d+ made, \d+ failed\./);
    assert.match(r.stdout, /Restored/);
    assert.ok(made >= 2, `only ${made} pulls during the drill`);
    assert.deepEqual(failures, []);
  });
});

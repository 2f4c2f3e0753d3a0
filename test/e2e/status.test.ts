/**
 * harbor-ha status against the provisioned lab: healthy → 0; a hand-edited harbor.cfg →
 * drift on that node, 1; one node's secretkey changed → a mismatch naming it, 1, and no
 * secret in the output; Harbor's own ./prepare run by hand → that node's registry config.yml
 * named; a held lock is shown with its owner.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";

const HARBOR_CFG = "/opt/harbor/harbor.cfg";
const LOCK = "/var/lib/harbor-ha/lock";

interface StatusJson {
  healthy: boolean;
  cluster: { vipHolders: string[]; lockedOn: Array<{ host: string }>; secrets: Array<{ name: string; consistent: boolean; oddNodes: string[] }> };
  loadBalancers: Array<{ name: string; keepalived?: { running: boolean }; checks: Array<{ ok: boolean }> }>;
  nodes: Array<{ name: string; harborUp: boolean; drift: Array<{ path: string }> }>;
  problems: Array<{ host: string; message: string }>;
}

/** status --json in the one report shape: the status itself is its details, the problems its items. */
async function statusJson(lab: Lab): Promise<{ code: number; json: StatusJson; raw: string }> {
  const r = await runCli(["status", lab.inventoryPath, "--json"]);
  const doc = JSON.parse(r.stdout) as { details: Omit<StatusJson, "problems">; problems: StatusJson["problems"] };
  return { code: r.code, json: { ...doc.details, problems: doc.problems }, raw: r.stdout + r.stderr };
}

describe("status (lab: 2 load balancers, 3 Harbor nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 3, protocol: "https" });
  });
  after(async () => {
    await labDown();
  });

  it("a freshly provisioned cluster is healthy: exit 0, tables, one VIP holder", async () => {
    const r = await runCli(["status", lab.inventoryPath]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Load balancers\n/);
    assert.match(r.stdout, /Harbor nodes\n/);
    assert.match(r.stdout, /Healthy: no problems found\./);
    const { code, json } = await statusJson(lab);
    assert.equal(code, 0);
    assert.equal(json.healthy, true);
    assert.equal(json.cluster.vipHolders.length, 1);
    assert.ok(json.loadBalancers.every((l) => l.keepalived?.running && l.checks.length === 3 && l.checks.every((c) => c.ok)));
    assert.ok(json.nodes.every((n) => n.harborUp && n.drift.length === 0));
    assert.ok(json.cluster.secrets.every((s) => s.consistent));
  });

  it("reports drift after a hand edit of one node's harbor.cfg: exit 1, that node only", async () => {
    await lab.sshRun("harbor2", `cp -p ${HARBOR_CFG} ${HARBOR_CFG}.orig && echo '# hand edit' >> ${HARBOR_CFG}`);
    try {
      const r = await runCli(["status", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /harbor2: 1 file differs from the render: \/opt\/harbor\/harbor\.cfg \(content differs\)/);
      const { json } = await statusJson(lab);
      assert.deepEqual(
        json.nodes.map((n) => [n.name, n.drift.map((d) => d.path)]),
        [
          ["harbor1", []],
          ["harbor2", [HARBOR_CFG]],
          ["harbor3", []],
        ],
      );
    } finally {
      await lab.sshRun("harbor2", `mv -f ${HARBOR_CFG}.orig ${HARBOR_CFG}`);
    }
    assert.equal((await runCli(["status", lab.inventoryPath])).code, 0, "healthy again once the file is back");
  });

  it("reports a secret mismatch naming the odd node after its secretkey changed, without printing any secret", async () => {
    const original = (await lab.sshRun("harbor3", "cat /data/secretkey")).stdout;
    assert.equal(original.length, 16);
    const replacement = "Zq9Xw8Vu7Ts6Rp5N";
    await lab.sshRun("harbor3", `cp -p /data/secretkey /data/secretkey.orig && printf %s ${replacement} > /data/secretkey`);
    try {
      const r = await runCli(["status", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /the secretkey \(\/data\/secretkey\) differs on harbor3 from the other nodes/);
      const { json, raw } = await statusJson(lab);
      assert.deepEqual(json.cluster.secrets.find((s) => s.name === "secretkey")?.oddNodes, ["harbor3"]);
      for (const text of [r.stdout, r.stderr, raw]) {
        assert.ok(!text.includes(original), "the cluster's secretkey was printed");
        assert.ok(!text.includes(replacement), "the odd node's secretkey was printed");
        assert.ok(!text.includes(lab.secret("db-password")), "the DB password was printed");
      }
    } finally {
      await lab.sshRun("harbor3", "mv -f /data/secretkey.orig /data/secretkey");
    }
  });

  it("compares the files Harbor really uses: a live token key that differs from the render is drift on that node", async () => {
    const live = "/opt/harbor/common/config/ui/private_key.pem";
    await lab.sshRun("harbor1", `cp -p ${live} ${live}.orig && openssl genrsa -traditional -out ${live} 2048 2>/dev/null`);
    try {
      const r = await runCli(["status", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /harbor1/);
      assert.match(r.stdout, /common\/config\/ui\/private_key\.pem/);
      assert.doesNotMatch(r.stdout + r.stderr, /BEGIN RSA PRIVATE KEY/);
      const { json } = await statusJson(lab);
      assert.deepEqual(
        json.nodes.find((n) => n.name === "harbor1")?.drift.map((d) => d.path),
        [live],
      );
    } finally {
      await lab.sshRun("harbor1", `mv -f ${live}.orig ${live}`);
    }
    assert.equal((await runCli(["status", lab.inventoryPath])).code, 0, "healthy again once the file is back");
  });

  it("names the registry's config.yml after Harbor's own ./prepare run by hand (no --ha: no HA redis section), on that node only", async () => {
    await lab.sshRun("harbor3", "cd /opt/harbor && cp -a common/config /root/config.orig");
    try {
      const prep = await lab.sshRun("harbor3", "cd /opt/harbor && echo yes | TERM=dumb ./prepare", { timeoutMs: 120_000 });
      assert.equal(prep.code, 0, prep.stdout + prep.stderr);
      const r = await runCli(["status", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /harbor3: .*\/opt\/harbor\/common\/config\/registry\/config\.yml \(lacks the HA redis section/);
      assert.match(
        r.stdout,
        /token signing key: DIFFERS on harbor3/,
        "prepare without --ha puts Harbor's default token key back, and status says so once",
      );
      assert.doesNotMatch(r.stdout, /token signing key: identical/);
      const { json } = await statusJson(lab);
      for (const n of ["harbor1", "harbor2"]) assert.deepEqual(json.nodes.find((x) => x.name === n)?.drift, [], `${n}: untouched`);
    } finally {
      await lab.sshRun("harbor3", "cd /opt/harbor && rm -rf common/config && mv /root/config.orig common/config");
    }
    assert.equal((await runCli(["status", lab.inventoryPath])).code, 0, "healthy again once prepare's files are back");
  });

  it("shows a held lock with its owner", async () => {
    for (const lb of ["lb1", "lb2"])
      await lab.sshRun(
        lb,
        `mkdir -p ${LOCK} && printf 'operator=carol@desk\\ncommand=reconfigure\\npid=99\\nsince=2024-05-01T10:00:00.000Z\\n' > ${LOCK}/owner`,
      );
    try {
      const r = await runCli(["status", lab.inventoryPath]);
      assert.match(r.stdout, /lock: lb1 — carol@desk \(reconfigure, pid 99\)/);
      assert.equal((await statusJson(lab)).json.cluster.lockedOn.length, 2);
    } finally {
      for (const lb of ["lb1", "lb2"]) await lab.sshRun(lb, `rm -rf ${LOCK}`);
    }
  });

  it("checks the registry database: two tables missing (a load stopped halfway) is a problem, not Healthy", async () => {
    const hide = "rename table registry.role to registry.role_hidden, registry.access_log to registry.access_log_hidden";
    const show = "rename table registry.role_hidden to registry.role, registry.access_log_hidden to registry.access_log";
    await lab.sshRun("db", `mariadb -e '${hide}'`);
    try {
      const r = await runCli(["status", lab.inventoryPath]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /database: database 'registry' lacks 2 of registry\.sql's tables \((access_log, role|role, access_log)\)/);
    } finally {
      await lab.sshRun("db", `mariadb -e '${show}'`);
    }
    const again = await runCli(["status", lab.inventoryPath]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /registry database: registry database already holds Harbor's schema/);
  });
});

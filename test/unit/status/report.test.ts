/** The status report from given facts: healthy, drift, secret mismatch, VIP, lock. */
import { generationOf } from "../../../src/harbor/generations.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildStatusReport, secretFilePaths } from "../../../src/status/report.js";
import { formatStatus } from "../../../src/status/format.js";
import { LOCK_DIR, LOCK_OWNER_PATH } from "../../../src/lock/commands.js";
import { formatLockOwner } from "../../../src/lock/owner.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { desired, inv, EXAMPLE_SECRETS } from "../../support/example.js";
import { allChecksOk, healthyInput, lbs, nodes } from "./status-input.js";
import { configurationsUrl, settingsNode } from "../../../src/harbor/v1/settings.js";
import { HARBOR2_UPGRADE_STAMP_PATH } from "../../../src/harbor/v2/read-only.js";

describe("status report", () => {
  it("a cluster as rendered, one VIP holder, every check passing: healthy, no problems", () => {
    const r = buildStatusReport(healthyInput());
    assert.deepEqual(r.problems, []);
    assert.equal(r.healthy, true);
    assert.deepEqual(r.cluster.vipHolders, ["lb1"]);
    assert.deepEqual(r.cluster.lockedOn, []);
    assert.ok(r.cluster.secrets.length === 2 && r.cluster.secrets.every((s) => s.consistent));
    assert.ok(r.nodes.every((n) => n.harborUp && n.drift.length === 0));
    assert.match(formatStatus(r), /Healthy: no problems found\./);
  });

  it("an upgrade that stopped part-way: status says so, and how to continue", () => {
    const input = healthyInput();
    const f = input.facts.get(nodes[0] as string);
    assert.ok(f);
    f.stamps[HARBOR2_UPGRADE_STAMP_PATH] = "upgrade from Harbor 2.13.4 to 2.15.2: read-only on\n";
    const r = buildStatusReport(input);
    assert.equal(r.healthy, false);
    assert.deepEqual(
      r.problems.map((p) => `${p.subject}: ${p.message}`),
      [`cluster: upgrade in progress: upgrade from Harbor 2.13.4 to 2.15.2: read-only on (recorded on ${nodes[0]})`],
    );
    assert.match(r.problems[0]?.hint ?? "", /run harbor-ha upgrade again/);
    // An upgrade that ended leaves the stamp empty: nothing to say.
    f.stamps[HARBOR2_UPGRADE_STAMP_PATH] = "";
    assert.deepEqual(buildStatusReport(input).problems, []);
  });

  it("knows which files are the shared secrets", () => {
    assert.deepEqual(
      secretFilePaths(generationOf(inv), desired)
        .map((s) => s.path)
        .sort(),
      ["/data/secretkey", `${harborDir(inv)}/ha/private_key.pem`].sort(),
    );
  });

  it("a hand-edited harbor.cfg on one node is drift on that node only", () => {
    const input = healthyInput();
    const odd = nodes[1] as string;
    const cfg = `${harborDir(inv)}/harbor.cfg`;
    const f = input.facts.get(odd);
    assert.ok(f?.files[cfg]);
    f.files[cfg] = { ...f.files[cfg], sha256: "0".repeat(64) };
    const r = buildStatusReport(input);
    assert.equal(r.healthy, false);
    assert.deepEqual(r.nodes.find((n) => n.name === odd)?.drift, [{ path: cfg, reason: "content differs" }]);
    assert.ok(r.nodes.filter((n) => n.name !== odd).every((n) => n.drift.length === 0));
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0]?.subject, odd);
    assert.match(r.problems[0]?.message ?? "", /harbor\.cfg \(content differs\)/);
  });

  it("a change written but not applied (install.sh cut off; keepalived.conf written, no reload): not healthy, though every file matches", () => {
    const input = healthyInput();
    const node = nodes[2] as string;
    input.facts.get(node)!.pending["reinstall-harbor"] = 1_800_000_000;
    input.facts.get("lb2")!.pending["reload-keepalived"] = 1_800_000_000;
    const r = buildStatusReport(input);
    assert.equal(r.healthy, false);
    assert.ok(
      r.nodes.every((n) => n.drift.length === 0),
      "no file differs",
    );
    assert.deepEqual(r.nodes.find((n) => n.name === node)?.pending, [
      { change: "reinstall-harbor", what: "install.sh has not completed with the configuration written", since: "2027-01-15T08:00:00Z" },
    ]);
    assert.deepEqual(r.problems.map((p) => p.subject).sort(), ["lb2", node].sort());
    assert.match(r.problems.find((p) => p.subject === "lb2")?.message ?? "", /written but never applied: keepalived has not reloaded/);
    assert.match(formatStatus(r), /1 pending/);
  });

  it("a half-loaded registry database is a problem, with what provision's preflight says of it", () => {
    const input = {
      ...healthyInput(),
      database: {
        state: "refused" as const,
        detail: "database 'registry' lacks 2 of registry.sql's tables (job_log, role): an earlier load may have stopped halfway",
      },
    };
    const r = buildStatusReport(input);
    assert.equal(r.healthy, false);
    assert.deepEqual(
      r.problems.map((p) => [p.subject, p.message]),
      [["database", input.database.detail]],
    );
    assert.match(formatStatus(r), /registry database: REFUSED: database 'registry' lacks 2/);
    assert.equal(
      buildStatusReport({ ...healthyInput(), database: { state: "ok", detail: "registry database already holds Harbor's schema" } }).healthy,
      true,
    );
  });

  it("one node's different secretkey: a mismatch naming that node, and no secret or checksum in the text", () => {
    const input = healthyInput();
    const odd = nodes[0] as string;
    const f = input.facts.get(odd);
    assert.ok(f?.files["/data/secretkey"]);
    f.files["/data/secretkey"] = { ...f.files["/data/secretkey"], sha256: "f".repeat(64) };
    const r = buildStatusReport(input);
    const key = r.cluster.secrets.find((s) => s.name === "secretkey");
    assert.deepEqual(key, { name: "secretkey", path: "/data/secretkey", consistent: false, oddNodes: [odd], unreadNodes: [] });
    const text = formatStatus(r) + JSON.stringify(r);
    assert.match(text, new RegExp(`secretkey \\(/data/secretkey\\) differs on ${odd} `));
    assert.ok(!text.includes("f".repeat(64)));
    for (const s of EXAMPLE_SECRETS) if (s.length >= 6) assert.ok(!text.includes(s), "an inventory secret leaked");
  });

  it("no VIP holder, keepalived stopped, a failing check, a drained node and a held lock are all reported", () => {
    const input = healthyInput();
    const lb1 = input.facts.get("lb1");
    assert.ok(lb1);
    lb1.vips[Object.keys(lb1.vips)[0] as string] = false;
    lb1.keepalived = { running: false };
    lb1.drained = [inv.data.harbor_nodes[2]?.address as string];
    for (const lb of lbs) {
      const f = input.facts.get(lb);
      if (!f) continue;
      f.dirs[LOCK_DIR] = { present: true, mode: 0o755 };
      f.files[LOCK_OWNER_PATH] = {
        present: true,
        content: formatLockOwner({ operator: "alice@laptop", command: "reconfigure", pid: 7, since: "2024-05-01T10:00:00.000Z" }),
      };
    }
    input.checks = allChecksOk.map((c) => (c.node === nodes[2] ? { ...c, ok: false, detail: "drained on purpose" } : c));
    const r = buildStatusReport(input);
    const text = r.problems.map((p) => `${p.subject}: ${p.message}`).join("\n");
    assert.match(text, /lb1: keepalived is not running/);
    assert.match(text, /no load balancer holds the VIP/);
    assert.match(text, new RegExp(`${nodes[2]}: fails check.sh from lb1: drained on purpose`));
    assert.match(text, new RegExp(`lb1: holds ${nodes[2]} drained: out of service`));
    assert.equal(r.cluster.lockedOn.length, lbs.length);
    assert.match(formatStatus(r), /lock: lb1 — alice@laptop \(reconfigure, pid 7\)/);
    assert.equal(r.healthy, false);
  });

  it("an unreachable host is a problem, not a crash", () => {
    const input = healthyInput();
    const facts = new Map(input.facts);
    facts.delete(nodes[1] as string);
    const r = buildStatusReport({ ...input, facts, failures: new Map([[nodes[1] as string, new Error("connection refused")]]) });
    assert.match(r.problems.map((p) => p.message).join("\n"), /cannot be read: connection refused/);
    assert.ok(
      r.cluster.secrets.every((s) => !s.consistent && s.oddNodes.length === 0 && s.unreadNodes.join() === nodes[1]),
      "the other nodes agree; the unread node's copy is unknown",
    );
    assert.match(formatStatus(r), /unreachable/);
  });

  it("a node whose Harbor uses an old token key (restored by prepare) shows the live file as drift, with its path", () => {
    const input = healthyInput();
    const odd = nodes[2] as string;
    const live = `${harborDir(inv)}/common/config/ui/private_key.pem`;
    const f = input.facts.get(odd);
    assert.ok(f?.files[live], "the live file is asked");
    f.files[live] = { ...f.files[live], sha256: "e".repeat(64) };
    const r = buildStatusReport(input);
    assert.deepEqual(r.nodes.find((n) => n.name === odd)?.drift, [
      {
        path: live,
        reason: `Harbor uses another file than harbor-ha's ${harborDir(inv)}/ha/private_key.pem (the token signing key Harbor's UI signs tokens with)`,
      },
    ]);
    assert.match(
      r.problems.map((p) => `${p.subject}: ${p.message}`).join("\n"),
      new RegExp(`${odd}: 1 file differs from the render: ${live.replace(/\//g, "\\/")}`),
    );
  });

  it("a database-held setting Harbor holds otherwise is cluster drift; unknown while Harbor is down", () => {
    const input = healthyInput();
    const f = input.facts.get(settingsNode(inv));
    assert.ok(f);
    f.api[configurationsUrl(inv)] = {
      status: 200,
      body: JSON.stringify({ auth_mode: { value: "db_auth", editable: true }, self_registration: { value: true, editable: true } }),
    };
    const r = buildStatusReport(input);
    assert.deepEqual(
      r.cluster.settings?.drift.map((d) => d.key),
      ["self_registration", "email_server", "email_server_port", "email_from", "project_creation_restriction", "token_expiration"],
    );
    assert.match(
      r.problems.map((p) => p.message).join("\n"),
      /Harbor's database holds other values than the inventory for self_registration \(true → false\)/,
    );
    assert.match(formatStatus(r), /settings in Harbor's database: DIFFER: self_registration true → false/);
    f.api[configurationsUrl(inv)] = { status: 0, body: "curl: (7) refused" };
    const down = buildStatusReport(input);
    assert.deepEqual(down.cluster.settings, { node: "harbor1", state: "down", drift: [] });
    assert.match(formatStatus(down), /settings in Harbor's database: not known \(Harbor does not answer on harbor1\)/);
    assert.match(formatStatus(buildStatusReport(healthyInput())), /settings in Harbor's database: as the inventory says/);
  });
  it("no host reachable: every cluster-wide answer is unknown, never free or identical, and the report is unhealthy", () => {
    const all = [...lbs, ...nodes];
    const r = buildStatusReport({
      ...healthyInput(),
      facts: new Map(),
      checks: [],
      failures: new Map(all.map((h) => [h, new Error("connect ECONNREFUSED")])),
    });
    assert.equal(r.healthy, false);
    assert.deepEqual(r.cluster.unreadLoadBalancers, lbs);
    assert.ok(r.cluster.secrets.every((s) => !s.consistent && s.oddNodes.length === 0 && s.unreadNodes.length === nodes.length));
    const text = formatStatus(r);
    assert.match(text, /lock: unknown \(no host could be read\)/);
    assert.match(text, /VIP \S+: unknown \(no host could be read\)/);
    assert.match(text, /secretkey: unknown \(no host could be read\)/);
    assert.doesNotMatch(text, /\bfree\b|identical|Healthy/);
    // Only the hosts themselves are the problems: nothing is claimed about the VIP or the secrets.
    assert.deepEqual(
      r.problems.map((p) => p.subject),
      all,
    );
  });

  it("one load balancer and one node unread: what was read is said, the rest is unknown on those hosts", () => {
    const input = healthyInput();
    const lb = lbs[1] as string;
    const node = nodes[2] as string;
    const facts = new Map([...input.facts].filter(([h]) => h !== lb && h !== node));
    const r = buildStatusReport({
      ...input,
      facts,
      failures: new Map([
        [lb, new Error("timeout")],
        [node, new Error("timeout")],
      ]),
    });
    const text = formatStatus(r);
    assert.match(text, new RegExp(`lock: free; unknown on ${lb} \\(not read\\)`));
    assert.match(text, new RegExp(`secretkey: identical on the nodes read \\(by checksum\\); unknown on ${node} \\(not read\\)`));
    assert.equal(r.healthy, false);
  });
});

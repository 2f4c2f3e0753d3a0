/** One thing drifts on a host that otherwise matches: exactly the steps it needs, diffs without secrets. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256Hex } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { REDACTED } from "../../../src/inventory/secret.js";
import { planHarbor, planStorage } from "../../../src/plan/harbor-node.js";
import { planLoadBalancer } from "../../../src/plan/loadbalancer.js";
import { modeOf } from "../../../src/lb/modes.js";
import type { Step } from "../../../src/steps/types.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { bundle, EXAMPLE_SECRETS, fileOf, hostNamed, inv, matchingFacts, redactor } from "../../support/example.js";

const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
const HARBOR_CFG = "/opt/harbor/harbor.cfg";

/** The facts of a matching host, but with `path` holding `current` (content sent, as facts.sh does for non-sensitive files). */
function withContent(d: DesiredHost, path: string, current: string): HostFacts {
  const f = matchingFacts(d);
  const fact = f.files[path];
  assert.ok(fact);
  fact.sha256 = sha256Hex(current);
  if (!fileOf(d, path).sensitive) fact.content = current;
  return f;
}

function planNode(d: DesiredHost, f: HostFacts): Step[] {
  return [...planStorage(d, f), ...planHarbor(inv, d, f, bundle, redactor)];
}

function assertNoSecret(text: string | undefined): void {
  for (const secret of EXAMPLE_SECRETS) assert.ok(!text?.includes(secret), `a secret (${secret.length} chars) leaked into:\n${text}`);
}

test("the example's secret files are known to the redactor (else the leak checks below prove nothing)", () => {
  assert.equal(EXAMPLE_SECRETS.length, 4);
  for (const s of EXAMPLE_SECRETS) assert.equal(redactor.redact(`x ${s} y`), `x ${REDACTED} y`);
});

test("keepalived.conf differs: one write, with a diff of the changed lines and no secret, then a reload", () => {
  const d = hostNamed("lb1");
  const conf = fileOf(d, KEEPALIVED_CONF).content;
  const [secret] = EXAMPLE_SECRETS.filter((s) => conf.includes(s));
  assert.ok(secret, "keepalived.conf holds the VRRP password");
  const current = conf.replace("priority 150", "priority 120").replace(`auth_pass ${secret}`, "auth_pass oldpass1");
  const steps = planLoadBalancer(modeOf(inv), d, withContent(d, KEEPALIVED_CONF, current), redactor);
  assert.deepEqual(
    steps.map((s) => s.title),
    ["write /etc/keepalived/keepalived.conf (0640 root:root)", "reload keepalived", "check that keepalived still runs"],
  );
  const [write, reload] = steps as [Step, Step];
  assert.equal(
    write.reason,
    "content differs — keepalived configuration".replace("keepalived configuration", fileOf(d, KEEPALIVED_CONF).description),
  );
  assert.deepEqual(write.action.type === "upload" && write.action.check, "keepalived");
  const diff = write.diff ?? "";
  assert.match(diff, /^--- a\/etc\/keepalived\/keepalived\.conf\n\+\+\+ b\/etc\/keepalived\/keepalived\.conf\n@@ /);
  assert.match(diff, /^-    priority 120$/m);
  assert.match(diff, /^\+    priority 150$/m);
  // The host's old VRRP password is masked too (it may still be live on the other LB).
  assert.ok(!diff.includes("oldpass1"), diff);
  assert.match(diff, /^- {8}auth_pass \[redacted\]\n\+ {8}auth_pass \[redacted\] \(changed\)$/m);
  assertNoSecret(diff);
  assert.equal(reload.reason, "keepalived.conf changed");
});

test("/etc/default/keepalived differs: restart (a reload does not re-read daemon options), even with keepalived.conf changed too", () => {
  const d = hostNamed("lb2");
  const f = withContent(d, "/etc/default/keepalived", fileOf(d, "/etc/default/keepalived").content.replace('DAEMON_ARGS="-D"', 'DAEMON_ARGS=""'));
  let steps = planLoadBalancer(modeOf(inv), d, f, redactor);
  assert.deepEqual(
    steps.map((s) => s.title),
    ["write /etc/default/keepalived (0644 root:root)", "restart keepalived", "check that keepalived still runs"],
  );
  assert.match(steps[0]?.diff ?? "", /^-DAEMON_ARGS=""\n\+DAEMON_ARGS="-D"$/m);
  f.files[KEEPALIVED_CONF] = { ...f.files[KEEPALIVED_CONF], present: true, sha256: "0".repeat(64), content: "" };
  steps = planLoadBalancer(modeOf(inv), d, f, redactor);
  assert.deepEqual(
    steps.filter((s) => s.kind === "service").map((s) => s.title),
    ["restart keepalived"],
  );
});

test("the sysctl drop-in differs, or a live sysctl is off: apply it", () => {
  const d = hostNamed("lb1");
  let steps = planLoadBalancer(modeOf(inv), d, withContent(d, "/etc/sysctl.d/90-harbor-ha.conf", "net.ipv4.ip_forward = 1\n"), redactor);
  assert.deepEqual(steps.map((s) => [s.title, s.reason]).slice(1), [["apply /etc/sysctl.d/90-harbor-ha.conf", "the sysctl drop-in changed"]]);
  const f = matchingFacts(d);
  f.sysctls["net.ipv4.ip_forward"] = "0";
  f.sysctls["net.ipv4.ip_nonlocal_bind"] = null;
  steps = planLoadBalancer(modeOf(inv), d, f, redactor);
  assert.deepEqual(
    steps.map((s) => [s.title, s.reason]),
    [["apply /etc/sysctl.d/90-harbor-ha.conf", "net.ipv4.ip_forward, net.ipv4.ip_nonlocal_bind not set"]],
  );
});

test("harbor.cfg differs (a rotated password): one write whose diff masks the secret, then the reinstall", () => {
  const d = hostNamed("harbor1");
  const cfg = fileOf(d, HARBOR_CFG).content;
  const dbPassword = EXAMPLE_SECRETS.find((s) => cfg.includes(`\ndb_password = ${s}\n`));
  assert.ok(dbPassword);
  const current = cfg
    .replace(`\ndb_password = ${dbPassword}`, "\ndb_password = Old-Db-Pass-0")
    .replace("max_job_workers = 3", "max_job_workers = 10");
  const steps = planNode(d, withContent(d, HARBOR_CFG, current));
  assert.deepEqual(
    steps.map((s) => s.title),
    [
      "write /opt/harbor/harbor.cfg (0600 root:root)",
      "run install.sh --ha --with-clair (answering prepare's shared-storage question: yes, checked above)",
      "wait for Harbor to start (https://127.0.0.1/api/systeminfo 200, /v2/ 401 with a Bearer challenge, a token signed; up to 300 s)",
      "record the installed configuration in /var/lib/harbor-ha/harbor-install.stamp",
    ],
  );
  assert.equal(steps[1]?.reason, "its configuration changed");
  const diff = steps[0]?.diff ?? "";
  assert.match(diff, /^-max_job_workers = 10\n\+max_job_workers = 3$/m);
  // The host's old password is still live until the reinstall: masked as well.
  assert.ok(!diff.includes("Old-Db-Pass-0"), diff);
  assert.match(diff, /^-db_password = \[redacted\]\n\+db_password = \[redacted\] \(changed\)$/m);
  assertNoSecret(diff);
  for (const s of steps) assertNoSecret(JSON.stringify({ ...s, action: undefined }));
});

test("a sensitive file differs: a write step without any diff", () => {
  const d = hostNamed("harbor3");
  const f = withContent(d, "/data/secretkey", "0123456789abcdef");
  // Even if a host sent the content anyway, a sensitive file never shows it.
  (f.files["/data/secretkey"] ?? { present: false }).content = "0123456789abcdef";
  const steps = planNode(d, f);
  const write = steps.find((s) => s.kind === "file");
  assert.equal(steps.filter((s) => s.kind === "file").length, 1);
  assert.equal(write?.title, "write /data/secretkey (0600 10000:10000)");
  assert.equal(write?.reason, "content differs (not shown: sensitive) — the cluster's shared secretkey");
  assert.equal(write?.diff, undefined);
  assert.equal(write?.action.type, "upload");
});

test("an absent sensitive file: written, no diff; an absent plain file: a diff of added lines", () => {
  const d = hostNamed("harbor1");
  const f = matchingFacts(d);
  f.files["/data/cert/server.key"] = { present: false };
  f.files["/data/cert/server.crt"] = { present: false };
  const files = planNode(d, f).filter((s) => s.kind === "file");
  assert.deepEqual(
    files.map((s) => [s.title, s.diff === undefined]),
    [
      ["write /data/cert/server.crt (0644 root:root)", false],
      ["write /data/cert/server.key (0600 root:root)", true],
    ],
  );
  const added = (files[0]?.diff ?? "").split("\n").slice(3);
  assert.ok(added.length > 5 && added.every((l) => l.startsWith("+")), "every line of a new file is an added line");
  assert.ok(!planNode(d, f).some((s) => s.diff?.includes("PRIVATE KEY")));
});

test("mode-only drift: reason 'mode 0644 → 0755', no diff", () => {
  const d = hostNamed("lb1");
  const f = matchingFacts(d);
  (f.files["/usr/local/bin/check.sh"] ?? { present: false }).mode = 0o644;
  const steps = planLoadBalancer(modeOf(inv), d, f, redactor);
  assert.deepEqual(
    steps.map((s) => [s.title, s.reason, s.diff]),
    [["write /usr/local/bin/check.sh (0755 root:root)", `mode 0644 → 0755 — ${fileOf(d, "/usr/local/bin/check.sh").description}`, undefined]],
  );
});

test("mode 0644 → 0600 on harbor.cfg is drift too", () => {
  const d = hostNamed("harbor2");
  const f = matchingFacts(d);
  (f.files[HARBOR_CFG] ?? { present: false }).mode = 0o644;
  assert.match(planNode(d, f).find((s) => s.kind === "file")?.reason ?? "", /^mode 0644 → 0600 — /);
});

test("owners: uid 10000 without a name matches '10000'; a root-owned secretkey is drift", () => {
  const d = hostNamed("harbor1");
  const f = matchingFacts(d);
  assert.deepEqual(f.files["/data/secretkey"], { ...f.files["/data/secretkey"], owner: "UNKNOWN", group: "UNKNOWN", uid: "10000", gid: "10000" });
  assert.deepEqual(planNode(d, f), []);
  f.files["/data/secretkey"] = { ...f.files["/data/secretkey"], present: true, owner: "root", group: "root", uid: "0", gid: "0" };
  const steps = planNode(d, f);
  assert.equal(steps.find((s) => s.kind === "file")?.reason, "owner root:root → 10000:10000 — the cluster's shared secretkey");
  // A named owner matches by name whatever its number.
  const lb = hostNamed("lb1");
  const g = matchingFacts(lb);
  g.files[KEEPALIVED_CONF] = { ...g.files[KEEPALIVED_CONF], present: true, uid: "4711" };
  assert.deepEqual(planLoadBalancer(modeOf(inv), lb, g, redactor), []);
});

test("directory drift: wrong owner of the shared storage root", () => {
  const d = hostNamed("harbor1");
  const f = matchingFacts(d);
  f.dirs["/data/registry"] = { present: true, mode: 0o755, owner: "root", group: "root", uid: "0", gid: "0" };
  const steps = planStorage(d, f);
  assert.deepEqual(
    steps.map((s) => [s.title, s.reason]),
    [["directory /data/registry (0755 10000:10000)", "owner root:root → 10000:10000"]],
  );
});

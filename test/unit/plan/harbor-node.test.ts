/** planHarbor / planStorage on one example node: bundle, extract, install, stamp, VIP rules, mounts. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sha256Hex } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { bundleRemotePath, INSTALL_STAMP_PATH, installDigest, laggingAfterInstall, planHarbor, planStorage } from "../../../src/plan/harbor-node.js";
import { generationOf } from "../../../src/harbor/generations.js";
import { planLoadBalancer } from "../../../src/plan/loadbalancer.js";
import { modeOf } from "../../../src/lb/modes.js";
import type { Step } from "../../../src/steps/types.js";
import { renderShell } from "../../../src/shell/command.js";
import { VIP_ACCEPT_SCRIPT_PATH } from "../../../src/lb/lvs-dr/vip-rules.js";
import { bareFacts, bundle, fileOf, hostNamed, inv, matchingFacts, redactor } from "../../support/example.js";

const node = hostNamed("harbor1");
const plan = (f: HostFacts, b = bundle) => planHarbor(inv, node, f, b, redactor);
const WAIT = "wait for Harbor to start (https://127.0.0.1/api/systeminfo 200, /v2/ 401 with a Bearer challenge, a token signed; up to 300 s)";
const shell = (s: Step | undefined) => (s?.action.type === "run" ? renderShell(s.action.command, { reveal: false }) : "");

test("bundle absent (same checksum as installed): upload, extract leaving harbor-ha's files out, nothing to reinstall", () => {
  const f = matchingFacts(node);
  f.files[bundleRemotePath(inv)] = { present: false };
  const steps = plan(f);
  assert.deepEqual(
    steps.slice(0, 2).map((s) => [s.title, s.reason]),
    [
      ["upload harbor-offline-installer-v1.4.0.tgz to /opt", "absent"],
      ["extract the installer into /opt/harbor", "new bundle"],
    ],
  );
  const upload = steps[0]?.action;
  assert.deepEqual(upload, {
    type: "upload-local",
    localPath: bundle.localPath,
    remotePath: "/opt/harbor-offline-installer-v1.4.0.tgz",
    sha256: bundle.sha256,
    mode: 0o600,
  });
  const underHarbor = node.files.filter((x) => x.path.startsWith("/opt/harbor/")).map((x) => x.path.slice("/opt/".length));
  assert.equal(underHarbor.length, 7, "harbor.cfg and the six ha/ copies");
  assert.equal(
    shell(steps[1]),
    `mkdir -p -- /opt && tar -xzf /opt/harbor-offline-installer-v1.4.0.tgz -C /opt --no-same-owner --anchored ${underHarbor.map((p) => `--exclude ${p}`).join(" ")}`,
  );
  // The bundle never replaces them: the files that match are not written again, and Harbor,
  // installed from this very bundle and configuration, is not reinstalled.
  assert.equal(steps.length, 2, steps.map((s) => s.title).join("\n"));
});

test("bundle of another checksum: uploaded again and extracted", () => {
  const f = matchingFacts(node);
  f.files[bundleRemotePath(inv)] = { present: true, sha256: sha256Hex("an older bundle") };
  assert.deepEqual(
    plan(f)
      .slice(0, 2)
      .map((s) => s.reason),
    ["checksum differs", "new bundle"],
  );
});

test("bundle in place but never extracted: extract only", () => {
  const f = matchingFacts(node);
  f.files["/opt/harbor/install.sh"] = { present: false };
  const steps = plan(f);
  assert.deepEqual(steps[0] && [steps[0].title, steps[0].reason], ["extract the installer into /opt/harbor", "/opt/harbor/install.sh is absent"]);
  assert.ok(!steps.some((s) => s.action.type === "upload-local"));
});

test("stamp of another configuration: install and record the new stamp", () => {
  const f = matchingFacts(node);
  f.stamps[INSTALL_STAMP_PATH] = "0".repeat(64);
  const steps = plan(f);
  assert.deepEqual(
    steps.map((s) => [s.title, s.reason]),
    [
      [
        "run install.sh --ha --with-clair (answering prepare's shared-storage question: yes, checked above)",
        "not installed from this configuration yet",
      ],
      [WAIT, "install.sh returns right after docker-compose up -d, before Harbor's services are ready"],
      [`record the installed configuration in ${INSTALL_STAMP_PATH}`, "after a successful install"],
    ],
  );
  assert.equal(shell(steps[0]), `sh -c 'cd /opt/harbor && ./install.sh --ha --with-clair'`);
  const stamp = steps[2]?.action;
  assert.equal(stamp?.type === "upload" && stamp.file.content, `${installDigest(node, bundle, true)}\n`);
  f.stamps[INSTALL_STAMP_PATH] = null;
  assert.equal(plan(f)[0]?.reason, "not installed from this configuration yet");
});

test("Harbor not answering on the node: install again", () => {
  for (const status of [0, 502]) {
    const f = matchingFacts(node);
    f.http[generationOf(inv).localHealthUrl] = status;
    assert.deepEqual(
      plan(f).map((s) => s.reason),
      [
        "Harbor does not answer on this node",
        "install.sh returns right after docker-compose up -d, before Harbor's services are ready",
        "after a successful install",
      ],
    );
  }
  assert.equal(generationOf(inv).localHealthUrl, "https://127.0.0.1/api/systeminfo");
});

test("the wait after install.sh: probes on the node, a deadline, a growing interval, docker-compose ps on failure", () => {
  const f = matchingFacts(node);
  f.stamps[INSTALL_STAMP_PATH] = null;
  const wait = planHarbor(inv, node, f, bundle, redactor, { startupTimeoutMs: 42_000 }).find((s) => s.action.type === "wait");
  assert.ok(wait && wait.action.type === "wait");
  assert.match(wait.title, /up to 42 s\)$/);
  assert.deepEqual(
    [wait.action.timeoutMs, wait.action.firstIntervalMs, wait.action.maxIntervalMs, wait.action.judge],
    [42_000, 500, 2_000, "harbor-startup"],
  );
  assert.match(
    wait.action.probe.toString(),
    /^sh -c '.*"\$u\$a".*\$u\/v2\/.*' sh https:\/\/127\.0\.0\.1 \/api\/systeminfo 3 MariaDB .* \/data\/registry \/data\/job_logs$/s,
  );
  assert.equal(wait.action.diagnose?.toString(), "sh -c 'cd /opt/harbor && docker-compose -f docker-compose.yml -f docker-compose.clair.yml ps'");
  assert.match(wait.action.hint, /\/var\/log\/harbor/);
});

test("installDigest follows the bundle, Clair and what install.sh reads, not the VIP rules", () => {
  const base = installDigest(node, bundle, true);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.notEqual(installDigest(node, { ...bundle, sha256: sha256Hex("other") }, true), base);
  assert.notEqual(installDigest(node, bundle, false), base);
  const cfgChanged = { ...node, files: node.files.map((x) => (x.path === "/opt/harbor/harbor.cfg" ? { ...x, content: `${x.content}#\n` } : x)) };
  assert.notEqual(installDigest(cfgChanged, bundle, true), base);
  const rulesChanged = { ...node, files: node.files.map((x) => (x.path === VIP_ACCEPT_SCRIPT_PATH ? { ...x, content: `${x.content}#\n` } : x)) };
  assert.equal(installDigest(rulesChanged, bundle, true), base);
});

test("VIP acceptance rules: applied when unhooked, empty, absent from the facts, or when their script changed", () => {
  const unhooked = matchingFacts(node);
  unhooked.vipChain = { hooked: false, rules: ["-A HARBOR_HA_VIP -j REDIRECT"] };
  const empty = matchingFacts(node);
  empty.vipChain = { hooked: true, rules: [] };
  const unknown = matchingFacts(node);
  delete unknown.vipChain;
  for (const f of [unhooked, empty, unknown]) {
    assert.deepEqual(
      plan(f).map((s) => [s.title, s.reason]),
      [["apply the VIP acceptance rules (iptables REDIRECT)", "the VIP acceptance rules are not in place"]],
    );
  }
  const script = matchingFacts(node);
  script.files[VIP_ACCEPT_SCRIPT_PATH] = { present: false };
  const steps = plan(script);
  assert.deepEqual(
    steps.map((s) => s.title),
    [`write ${VIP_ACCEPT_SCRIPT_PATH} (0755 root:root)`, "apply the VIP acceptance rules (iptables REDIRECT)"],
  );
  assert.equal(steps[1]?.reason, "the rules script changed");
  assert.equal(shell(steps[1]), VIP_ACCEPT_SCRIPT_PATH, "sysv: the script only");
  script.init = "systemd";
  assert.equal(shell(plan(script)[1]), `systemctl daemon-reload && systemctl enable harbor-ha-vip-accept.service && ${VIP_ACCEPT_SCRIPT_PATH}`);
});

test("storage: an equivalent TAB-separated fstab line is kept; another line is replaced; an unmounted target is mounted", () => {
  const f = matchingFacts(node);
  f.fstab["/data/registry"] = "10.20.0.40:/exports/harbor/registry\t/data/registry\tnfs\trw,hard,noatime,nfsvers=4.1  0\t0";
  assert.deepEqual(planStorage(node, f), []);
  f.fstab["/data/registry"] = "10.20.0.40:/exports/harbor/registry /data/registry nfs defaults 0 0";
  f.mounts["/data/job_logs"] = null;
  assert.deepEqual(
    planStorage(node, f).map((s) => [s.title, s.reason]),
    [
      ["persist /data/registry in /etc/fstab", "the fstab line differs"],
      ["mount 10.20.0.40:/exports/harbor/job_logs at /data/job_logs", "not mounted"],
    ],
  );
});

test("storage: missing packages are installed in the storage phase, before the mounts", () => {
  const f = matchingFacts(node);
  f.packages["nfs-common"] = false;
  const steps = planStorage(node, f);
  assert.deepEqual(
    steps.map((s) => [s.phase, s.title]),
    [["storage", "install nfs-common"]],
  );
  assert.equal(shell(steps[0]).endsWith(" sh nfs-common"), true);
});

test("load balancer: keepalived.conf is written last among its files, after check.sh, checked with keepalived -t", () => {
  const lb = hostNamed("lb2");
  const steps = planLoadBalancer(modeOf(inv), lb, bareFacts(lb), redactor).filter((s) => s.kind === "file");
  const paths = steps.map((s) => (s.action.type === "upload" ? s.action.file.path : ""));
  assert.equal(paths.at(-1), "/etc/keepalived/keepalived.conf");
  assert.ok(paths.indexOf("/usr/local/bin/check.sh") < paths.indexOf("/etc/keepalived/keepalived.conf"));
  assert.ok(
    lb.files.findIndex((x) => x.path.endsWith("/keepalived.conf")) < lb.files.findIndex((x) => x.path === "/usr/local/bin/check.sh"),
    "the render lists it first: the plan reorders",
  );
  for (const s of steps) assert.equal(s.action.type === "upload" && s.action.check, s === steps.at(-1) ? "keepalived" : undefined);
  assert.equal(fileOf(lb, "/etc/keepalived/keepalived.conf").onChange.includes("reload-keepalived"), true);
});

test("prepare's registry config.yml without the HA redis section (./prepare run by hand): install.sh runs again, saying which file", () => {
  const f = matchingFacts(node);
  f.lines["/opt/harbor/common/config/registry/config.yml"] = 0;
  const install = plan(f).find((s) => s.role === "install-run");
  assert.match(install?.reason ?? "", /Harbor uses other files than harbor-ha's \(\/opt\/harbor\/common\/config\/registry\/config\.yml\)/);
  f.lines["/opt/harbor/common/config/registry/config.yml"] = 2;
  assert.equal(
    plan(f).some((s) => s.role === "install-run"),
    false,
    "both expected lines there: nothing to do",
  );
});

test("a run killed between the install stamp and the release stamp: the release stamp is written on its own; a current or absent one is left", () => {
  const path = "/var/lib/harbor-ha/harbor-release";
  const releaseStamp: Step = {
    host: "harbor2",
    phase: "harbor",
    kind: "install",
    role: "install-stamp",
    title: `record the installed release (Harbor 2.15.2) in ${path}`,
    reason: "after a successful install",
    action: {
      type: "upload",
      file: { path, content: "2.15.2\n", mode: 0o644, owner: "root", group: "root", sensitive: false, onChange: [], description: "the release" },
    },
  };
  const withStamp = (now: string | null): HostFacts => {
    const f = matchingFacts(node);
    f.stamps[path] = now;
    return f;
  };
  const lagging = laggingAfterInstall([releaseStamp], withStamp("2.13.4"));
  assert.deepEqual(
    lagging.map((s) => [s.title, s.reason]),
    [[releaseStamp.title, "installed already; an earlier run stopped before recording it"]],
  );
  assert.deepEqual(laggingAfterInstall([releaseStamp], withStamp("2.15.2")), []);
  assert.deepEqual(laggingAfterInstall([releaseStamp], withStamp(null)), [], "a cluster installed before the stamp existed is not changed by it");
});

/**
 * Targets beyond Debian, planned from each host's /etc/os-release (the lab is Debian only: the
 * other families are proven here, on the plan's commands and files). os-release contents as the
 * supported systems ship them (the fields harbor-ha reads).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { OS_RELEASE_PATH, parseOsRelease, targetFamilyOf } from "../../../src/facts/os-release.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { queriesFor } from "../../../src/plan/queries.js";
import { DAEMON_OPTIONS, parseKeepalivedVersion } from "../../../src/plan/target-system.js";
import { renderShell } from "../../../src/shell/command.js";
import { sha256Hex } from "../../../src/facts/queries.js";
import type { Step } from "../../../src/steps/types.js";
import { bareFacts, bundle, ctx, desired, factsOfAll, inv, matchingFacts } from "../../support/example.js";

const OS: Record<string, string> = {
  "Debian 11": 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nNAME="Debian GNU/Linux"\nVERSION_ID="11"\nID=debian\n',
  "Debian 12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
  "Ubuntu 20.04":
    'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\nVERSION_ID="20.04"\n',
  "Ubuntu 22.04": 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n',
  "Ubuntu 24.04": 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
  "RHEL 8":
    'NAME="Red Hat Enterprise Linux"\nVERSION="8.10 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.10"\nPRETTY_NAME="Red Hat Enterprise Linux 8.10 (Ootpa)"\n',
  "RHEL 9": 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n',
  "Rocky 9": 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
  "Alma 8": 'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\nPRETTY_NAME="AlmaLinux 8.10 (Cerulean Leopard)"\n',
};

test("os-release: each supported system's family", () => {
  const families = Object.fromEntries(Object.entries(OS).map(([name, text]) => [name, targetFamilyOf(parseOsRelease(text))]));
  assert.deepEqual(families, {
    "Debian 11": "debian",
    "Debian 12": "debian",
    "Ubuntu 20.04": "debian",
    "Ubuntu 22.04": "debian",
    "Ubuntu 24.04": "debian",
    "RHEL 8": "rhel",
    "RHEL 9": "rhel",
    "Rocky 9": "rhel",
    "Alma 8": "rhel",
  });
  assert.deepEqual(parseOsRelease(OS["Rocky 9"] ?? ""), {
    id: "rocky",
    idLike: ["rhel", "centos", "fedora"],
    versionId: "9.4",
    prettyName: "Rocky Linux 9.4 (Blue Onyx)",
  });
  assert.equal(targetFamilyOf(parseOsRelease('ID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.6"\n')), undefined);
});

/** Every host freshly installed (nothing of ours), running `os`. */
function freshOn(os: string, tweak: (f: HostFacts, name: string) => void = () => {}): Map<string, HostFacts> {
  const all = factsOfAll(bareFacts);
  for (const [name, f] of all) {
    f.files[OS_RELEASE_PATH] = { present: true, sha256: "x", content: OS[os] ?? os };
    tweak(f, name);
  }
  return all;
}

const shell = (s: Step | undefined) => (s?.action.type === "run" ? renderShell(s.action.command, { reveal: false }) : "");
const stepsOf = (facts: Map<string, HostFacts>, host: string) =>
  planCluster(desired, facts, ctx).hosts.find((h) => h.host.name === host)?.steps ?? [];
const uploads = (steps: Step[]) => steps.flatMap((s) => (s.action.type === "upload" ? [s.action.file] : []));

for (const os of ["Rocky 9", "RHEL 8", "Alma 8"]) {
  test(`${os}: keepalived's options go to /etc/sysconfig/keepalived as KEEPALIVED_OPTIONS; NFS comes from nfs-utils`, () => {
    const facts = freshOn(os);
    const lb = stepsOf(facts, "lb1");
    const files = uploads(lb);
    const sysconfig = files.find((f) => f.path === DAEMON_OPTIONS.rhel.path);
    assert.ok(sysconfig, files.map((f) => f.path).join(", "));
    assert.match(sysconfig.content, new RegExp(`^KEEPALIVED_OPTIONS="${inv.data.keepalived.daemon_options}"$`, "m"));
    assert.doesNotMatch(sysconfig.content, /DAEMON_ARGS/);
    assert.ok(!files.some((f) => f.path === "/etc/default/keepalived"), "nothing written where RHEL does not look");
    assert.match(shell(lb.find((s) => s.kind === "package")), / sh keepalived curl/);
    const node = shell(stepsOf(facts, "harbor1").find((s) => s.kind === "package"));
    assert.match(node, / nfs-utils\b/);
    assert.doesNotMatch(node, /nfs-common/);
  });
}

for (const os of ["Debian 12", "Ubuntu 22.04"]) {
  test(`${os}: /etc/default/keepalived with DAEMON_ARGS, nfs-common`, () => {
    const facts = freshOn(os);
    const files = uploads(stepsOf(facts, "lb1"));
    assert.match(files.find((f) => f.path === DAEMON_OPTIONS.debian.path)?.content ?? "", /^DAEMON_ARGS=/m);
    assert.ok(!files.some((f) => f.path === DAEMON_OPTIONS.rhel.path));
    assert.match(shell(stepsOf(facts, "harbor1").find((s) => s.kind === "package")), / nfs-common\b/);
  });
}

test("a RHEL load balancer already converged: its /etc/sysconfig/keepalived matches, nothing to write", () => {
  const facts = factsOfAll(matchingFacts);
  const lb = facts.get("lb1") as HostFacts;
  lb.files[OS_RELEASE_PATH] = { present: true, sha256: "x", content: OS["RHEL 9"] ?? "" };
  const debianFile = desired.hosts.find((h) => h.host.name === "lb1")?.files.find((f) => f.path === DAEMON_OPTIONS.debian.path);
  assert.ok(debianFile);
  const rhelContent = debianFile.content.replace(/^DAEMON_ARGS=/m, "KEEPALIVED_OPTIONS=");
  lb.files[DAEMON_OPTIONS.rhel.path] = {
    present: true,
    sha256: sha256Hex(rhelContent),
    mode: 0o644,
    owner: "root",
    group: "root",
    uid: "0",
    gid: "0",
  };
  // RHEL has no /etc/default/keepalived: nothing is written there either.
  lb.files[DAEMON_OPTIONS.debian.path] = { present: false };
  const steps = stepsOf(facts, "lb1");
  assert.deepEqual(
    steps.map((s) => s.title),
    [],
  );
});

test("the queries read os-release everywhere, and a load balancer's /etc/sysconfig/keepalived and keepalived --version", () => {
  const lb = desired.hosts.find((h) => h.host.name === "lb1");
  const node = desired.hosts.find((h) => h.host.name === "harbor1");
  assert.ok(lb && node);
  const q = queriesFor(inv, lb, bundle);
  assert.ok(q.some((x) => x.kind === "file" && x.path === OS_RELEASE_PATH && x.showContent));
  assert.ok(q.some((x) => x.kind === "file" && x.path === DAEMON_OPTIONS.rhel.path));
  assert.ok(q.some((x) => x.kind === "version" && x.program === "keepalived"));
  assert.ok(queriesFor(inv, node, bundle).some((x) => x.kind === "file" && x.path === OS_RELEASE_PATH));
});

test("preflight: keepalived older than 1.3.0 on a load balancer, or a system of no known family, refuses the run", () => {
  const facts = freshOn("Debian 12", (f, name) => {
    if (name === "lb2") f.versions["keepalived"] = { found: true, exitCode: 0, output: "Keepalived v1.2.24 (08/06,2018)\n" };
    if (name === "lb1") f.versions["keepalived"] = { found: true, exitCode: 0, output: "Keepalived v2.2.7 (01/16,2022)\n" };
    if (name === "harbor3")
      f.files[OS_RELEASE_PATH] = { present: true, sha256: "x", content: 'ID="opensuse-leap"\nPRETTY_NAME="openSUSE Leap 15.6"\n' };
  });
  const problems = planCluster(desired, facts, ctx).problems.map((p) => `${p.host}: ${p.message}`);
  assert.ok(
    problems.some((p) => /^lb2: keepalived 1\.2\.24 is older than 1\.3\.0, which the rendered keepalived\.conf needs/.test(p)),
    problems.join("\n"),
  );
  assert.ok(!problems.some((p) => p.startsWith("lb1: keepalived")));
  assert.ok(problems.some((p) => /^harbor3: runs openSUSE Leap 15\.6, which is not a supported target system/.test(p)));
  assert.deepEqual(parseKeepalivedVersion({ found: true, exitCode: 0, output: "Keepalived v2.0.19 (10/19,2019)" })?.text, "2.0.19");
});

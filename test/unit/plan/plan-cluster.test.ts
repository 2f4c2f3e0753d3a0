/** planCluster over the example render: a bare cluster gets everything, a matching one nothing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderShell } from "../../../src/shell/command.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { isEmptyPlan, stepsIn } from "../../../src/steps/types.js";
import type { Step } from "../../../src/steps/types.js";
import { bareFacts, ctx, desired, factsOfAll, hostNamed, matchingFacts } from "../../support/example.js";

const titles = (steps: readonly Step[]) => steps.map((s) => s.title);
const shell = (s: Step) => (s.action.type === "run" ? renderShell(s.action.command, { reveal: false }) : "");

test("second run changes nothing: every host of the example already matching gets no step", () => {
  const plan = planCluster(desired, factsOfAll(matchingFacts), ctx);
  assert.equal(plan.hosts.length, 5);
  for (const h of plan.hosts) assert.deepEqual(titles(h.steps), [], `${h.host.name} has no steps`);
  assert.deepEqual(plan.problems, []);
  assert.equal(isEmptyPlan(plan), true);
});

test("second run changes nothing, host by host: the plan of each matching host alone is empty", () => {
  for (const d of desired.hosts) {
    const plan = planCluster({ ...desired, hosts: [d] }, new Map([[d.host.name, matchingFacts(d)]]), ctx);
    assert.deepEqual(titles(plan.hosts[0]?.steps ?? []), [], d.host.name);
  }
});

test("a bare load balancer gets every package, user, directory, file, the sysctls and the keepalived start", () => {
  const d = hostNamed("lb1");
  const plan = planCluster(desired, new Map([["lb1", bareFacts(d)]]), ctx);
  const steps = plan.hosts.find((h) => h.host.name === "lb1")?.steps ?? [];
  assert.ok(steps.every((s) => s.phase === "loadbalancers"));
  const pkg = steps.filter((s) => s.kind === "package");
  assert.equal(pkg.length, 1);
  assert.equal(pkg[0]?.title, `install ${d.packages.join(", ")}`);
  assert.deepEqual(
    steps.filter((s) => s.kind === "user").map((s) => s.title),
    d.users.map((u) => `create system user ${u}`),
  );
  assert.deepEqual(steps.filter((s) => s.kind === "directory").length, d.directories.length);
  const files = steps.filter((s) => s.kind === "file");
  assert.deepEqual(new Set(files.map((s) => (s.action.type === "upload" ? s.action.file.path : ""))), new Set(d.files.map((f) => f.path)));
  assert.ok(files.every((s) => s.reason.startsWith("absent — ")));
  const services = steps.filter((s) => s.kind === "service");
  assert.deepEqual(
    services.map((s) => s.title),
    ["apply /etc/sysctl.d/90-harbor-ha.conf", "start keepalived"],
  );
  assert.equal(shell(services[1] as Step), "service keepalived start", "sysv host: service, not systemctl");
  assert.equal(steps.at(-2)?.title, "start keepalived", "keepalived starts last, after its files");
  assert.equal(steps.at(-1)?.title, "check that keepalived still runs", "then it is seen to run");
  // Other hosts had no facts: they are left alone.
  assert.ok(plan.hosts.filter((h) => h.host.name !== "lb1").every((h) => h.steps.length === 0));
});

test("a bare Harbor node gets packages, mounts, directories, bundle, files, VIP rules and the install, in that order", () => {
  const d = hostNamed("harbor2");
  const plan = planCluster(desired, new Map([["harbor2", bareFacts(d)]]), ctx);
  const steps = plan.hosts.find((h) => h.host.name === "harbor2")?.steps ?? [];
  const storage = stepsIn(plan, "storage");
  assert.deepEqual(titles(storage), [
    "install iptables, curl, nfs-common",
    "persist /data/registry in /etc/fstab",
    "mount 10.20.0.40:/exports/harbor/registry at /data/registry",
    "persist /data/job_logs in /etc/fstab",
    "mount 10.20.0.40:/exports/harbor/job_logs at /data/job_logs",
    "directory /data/registry (0755 10000:10000)",
    "directory /data/job_logs (0755 10000:10000)",
    "write a fresh check marker into /data/registry/.harbor-ha-shared-check as uid 10000",
  ]);
  const harbor = stepsIn(plan, "harbor");
  assert.deepEqual(titles(harbor.slice(0, 2)), ["upload harbor-offline-installer-v1.4.0.tgz to /opt", "extract the installer into /opt/harbor"]);
  assert.equal(harbor.filter((s) => s.kind === "file").length, d.files.length);
  assert.deepEqual(titles(harbor.slice(-4)), [
    "apply the VIP acceptance rules (iptables REDIRECT)",
    "run install.sh --ha --with-clair (answering prepare's shared-storage question: yes, checked above)",
    "wait for Harbor to start (https://127.0.0.1/api/systeminfo 200, /v2/ 401 with a Bearer challenge, a token signed; up to 300 s)",
    "record the installed configuration in /var/lib/harbor-ha/harbor-install.stamp",
  ]);
  assert.equal(steps.length, storage.length + harbor.length);
});

test("on systemd the keepalived start enables it at boot", () => {
  const d = hostNamed("lb2");
  const f = bareFacts(d);
  f.init = "systemd";
  const steps = planCluster(desired, new Map([["lb2", f]]), ctx).hosts.find((h) => h.host.name === "lb2")?.steps ?? [];
  assert.equal(shell(steps.at(-2) as Step), "systemctl enable --now keepalived");
  assert.equal(steps.at(-1)?.action.type, "check-keepalived");
});

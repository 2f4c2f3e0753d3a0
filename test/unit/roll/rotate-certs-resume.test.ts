/**
 * rotate-certs killed mid-run, then run again (issue 19): the first run wrote a node's new TLS
 * files and stopped before install.sh finished, so the node still serves the old certificate
 * while its files already match the inventory. The re-run must still reinstall that node (the
 * pending-change marker the first run left says so), not skip it because no TLS file differs.
 */
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { reconfigure } from "../../../src/roll/reconfigure.js";
import { INSTALL_STAMP_PATH } from "../../../src/desired/paths.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { generationOf } from "../../../src/harbor/generations.js";
import { drainMarkerPath } from "../../../src/lb/lvs-dr/drain.js";
import { PENDING_DIR } from "../../../src/steps/pending.js";
import { installDigest } from "../../../src/plan/harbor-node.js";
import { planStartupWait } from "../../../src/plan/startup.js";
import type { Command } from "../../../src/shell/command.js";
import { bundle, hostNamed, matchingFacts } from "../../support/example.js";
import { fakeCluster, fakeRollOptions } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

const LBS = ["lb1", "lb2"];
const H2 = { name: "harbor2", address: "10.20.0.22" };
const TLS_FILES = ["/data/cert/server.crt", "/opt/harbor/ha/server.crt"];
const OLD_STAMP = "0".repeat(64);

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

/** Every node holds the previous certificate, installed from it (its stamp is the old configuration's). */
function oldCertificate(d: DesiredHost): HostFacts {
  const f = matchingFacts(d);
  if (d.host.role === "loadbalancer") return f;
  for (const path of TLS_FILES) f.files[path] = { ...f.files[path], present: true, sha256: "old" };
  f.stamps[INSTALL_STAMP_PATH] = OLD_STAMP;
  return f;
}

/** The start-up wait's probe as planned for node `n` (plan/startup.ts), and what Harbor answers once up (provision-orchestration.test.ts). */
function startupProbe(c: FakeCluster, n: string): Command {
  const action = planStartupWait(generationOf(c.inv), c.inv.data.cluster.protocol, n, 1).action;
  assert.ok(action.type === "wait");
  return action.probe;
}
const HARBOR_UP =
  '== systeminfo\nstatus 200\n== v2\nHTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm="x"\r\n\r\nstatus 401\n== token\nstatus 200\n';

const installs = (c: FakeCluster, node: string) => {
  const command = generationOf(c.inv).installerRun().command;
  return c.net.calls.filter((x) => x.host === node && x.kind === "run" && x.argv.join(" ") === command.argv.join(" "));
};

test("rotate-certs killed during harbor2's install.sh, then run again: harbor2 is reinstalled with the new certificate and put back in service", async () => {
  const c = (cluster = fakeCluster(oldCertificate));
  const installer = generationOf(c.inv).installerRun().command;
  for (const n of ["harbor1", "harbor2", "harbor3"]) c.net.host(n).on(startupProbe(c, n), { stdout: HARBOR_UP });
  // The first run dies while install.sh runs on harbor2: the connection drops as when the run is killed.
  c.net.host(H2.name).on(installer, () => "drop");
  await assert.rejects(reconfigure(c.inv, fakeRollOptions(c, { command: "rotate-certs" })));

  // The state the kill leaves: harbor2's new TLS files written, install.sh not finished, drained.
  const h2 = c.net.host(H2.name);
  const wrote = c.net.calls.find((x) => x.host === H2.name && x.step === `write 2 files (${TLS_FILES.join(", ")})`);
  assert.equal(wrote?.outcome, "exit 0", "the first run wrote harbor2's TLS files (one batch)");
  // The fake keeps single uploads in its file map, not a batch's: the files now read as the render wants them.
  const written = matchingFacts(hostNamed(H2.name));
  for (const path of TLS_FILES) h2.facts.files[path] = written.files[path]!;
  assert.ok(h2.files.has(`${PENDING_DIR}/reinstall-harbor`), "the reinstall is pending");
  assert.equal(h2.files.has(INSTALL_STAMP_PATH), false, "no stamp: install.sh did not finish");
  for (const lb of LBS) assert.ok(c.net.host(lb).files.has(drainMarkerPath(H2.address)), `${lb}: harbor2 drained`);
  assert.equal(installs(c, "harbor3").length, 0, "the first run stopped before harbor3");

  // The second run, a new process with new connections: install.sh now succeeds on harbor2.
  h2.dropped = undefined;
  h2.on(installer, {});
  const before = c.net.calls.length;
  const r = await reconfigure(c.inv, fakeRollOptions(c, { command: "rotate-certs", forceUnlock: true }));
  const second = c.net.calls.slice(before);
  const ranInstall = (node: string) => second.some((x) => x.host === node && x.kind === "run" && x.argv.join(" ") === installer.argv.join(" "));
  assert.ok(ranInstall(H2.name), "harbor2 is reinstalled although its TLS files already match");
  assert.ok(ranInstall("harbor3"), "harbor3 rotates as well");
  const h2Plan = r.plan.hosts.find((h) => h.host.name === H2.name)?.steps ?? [];
  assert.match(h2Plan.find((s) => s.role === "install-run")?.reason ?? "", /an earlier run stopped before applying its change/);
  assert.equal(
    h2Plan.some((s) => s.role === "tls-file"),
    false,
    "no TLS file to write again",
  );
  assert.equal(h2.read(INSTALL_STAMP_PATH)?.trim(), installDigest(hostNamed(H2.name), bundle, generationOf(c.inv).installerRun().withScanner));
  assert.equal(h2.files.has(`${PENDING_DIR}/reinstall-harbor`), false, "the pending marker is cleared");
  for (const lb of LBS) assert.equal(c.net.host(lb).files.has(drainMarkerPath(H2.address)), false, `${lb}: harbor2 back in service`);
  const gate = second.findIndex((x) => x.step === `check.sh ${H2.name}`);
  const install = second.findIndex((x) => x.host === H2.name && x.argv.join(" ") === installer.argv.join(" "));
  const undrain = second.findIndex((x) => x.step === `undrain ${H2.name}`);
  assert.ok(install >= 0 && gate > install && undrain > gate, "install → health gate → undrain");
});

test("rotate-certs with nothing pending and every TLS file in place: nothing to do (the marker alone brings a node back in)", async () => {
  const c = (cluster = fakeCluster());
  const r = await reconfigure(c.inv, fakeRollOptions(c, { command: "rotate-certs" }));
  assert.equal(r.changed, false);
  assert.deepEqual(installs(c, H2.name), []);
});

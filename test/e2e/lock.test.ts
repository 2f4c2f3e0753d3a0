/**
 * The cluster lock and the audit log against the lab: a run while another holds the lock
 * is refused with the holder named and changes nothing; --force-unlock proceeds; every
 * host that changed gets an audit line; the lock is gone after each run. Ctrl-C before
 * the lock changes nothing; Ctrl-C during a phase lets the step under way finish.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { labDown } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { provisionedLab, runCli } from "./helpers/cli.js";

const HARBOR_CFG = "/opt/harbor/harbor.cfg";
const LOCK = "/var/lib/harbor-ha/lock";
const AUDIT = "/var/log/harbor-ha/audit.log";

async function lockPresent(lab: Lab, host: string): Promise<boolean> {
  return (await lab.sshRun(host, `test -d ${LOCK} && echo yes || echo no`)).stdout.trim() === "yes";
}

describe("cluster lock and audit log (lab: 2 load balancers, 2 Harbor nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await provisionedLab({ lbs: 2, nodes: 2, protocol: "http" });
  });
  after(async () => {
    await labDown();
  });

  it("leaves an audit line on every host that changed, in a 0640 file, and no lock behind", async () => {
    for (const host of ["lb1", "lb2", "harbor1", "harbor2"]) {
      const r = await lab.sshRun(host, `stat -c %a ${AUDIT} && cat ${AUDIT}`);
      assert.equal(r.code, 0, `${host}: ${r.stderr}`);
      const [mode, ...lines] = r.stdout.trim().split("\n");
      assert.equal(mode, "640", host);
      assert.ok(lines.length >= 1, `${host} has an audit line`);
      assert.match(lines[0] ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+@\S+ provision: \S/, host);
      assert.equal(await lockPresent(lab, host), false, `${host}: no lock left behind`);
    }
    assert.match((await lab.sshRun("lb1", `cat ${AUDIT}`)).stdout, /keepalived\.conf/);
  });

  it("refuses a run while another operator holds the lock, naming the holder, and changes nothing", async () => {
    await lab.sshRun("harbor1", `echo '# hand edit' >> ${HARBOR_CFG}`);
    const before = (await lab.sshRun("harbor1", `sha256sum ${HARBOR_CFG}`)).stdout;
    const held = await lab.sshRun(
      "lb2",
      `mkdir -p ${LOCK} && printf 'operator=bob@elsewhere\\ncommand=reconfigure\\npid=4242\\nsince=2024-05-01T10:00:00.000Z\\n' > ${LOCK}/owner`,
    );
    assert.equal(held.code, 0, held.stderr);
    const r = await runCli(["provision", lab.inventoryPath]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /the cluster is locked: lb2 holds the lock/);
    assert.match(r.stderr, /bob@elsewhere \(reconfigure, pid 4242\) since 2024-05-01T10:00:00\.000Z/);
    assert.match(r.stderr, /--force-unlock/);
    assert.equal((await lab.sshRun("harbor1", `sha256sum ${HARBOR_CFG}`)).stdout, before, "the refused run changed harbor.cfg");
    assert.equal(await lockPresent(lab, "lb1"), false, "the lock taken on lb1 before lb2 refused was released");
    assert.equal(await lockPresent(lab, "lb2"), true, "the other operator's lock stays");
  });

  it("--force-unlock breaks the lock (and says whose), repairs, audits and releases", async () => {
    const r = await runCli(["provision", lab.inventoryPath, "--force-unlock"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /broke the cluster lock on lb2 held by bob@elsewhere/);
    assert.doesNotMatch((await lab.sshRun("harbor1", `cat ${HARBOR_CFG}`)).stdout, /# hand edit/);
    for (const host of ["lb1", "lb2"]) assert.equal(await lockPresent(lab, host), false, host);
    const audit = (await lab.sshRun("harbor1", `tail -n 1 ${AUDIT}`)).stdout;
    assert.match(audit, /provision: .*write \/opt\/harbor\/harbor\.cfg/);
  });

  it("Ctrl-C before the lock: exit 130, says it was interrupted, takes no lock and changes nothing", async () => {
    await lab.sshRun("harbor1", `echo '# hand edit before Ctrl-C' >> ${HARBOR_CFG}`);
    const before = (await lab.sshRun("harbor1", `sha256sum ${HARBOR_CFG}; wc -l < ${AUDIT}`)).stdout;
    const r = await runCli(["provision", lab.inventoryPath], { interruptOn: /^== preflight:/m });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /interrupted \(Ctrl-C\) during preflight; nothing was changed on any host and the cluster lock was not taken; run again to finish/,
    );
    assert.doesNotMatch(r.stderr, /fix the cause/i);
    assert.equal((await lab.sshRun("harbor1", `sha256sum ${HARBOR_CFG}; wc -l < ${AUDIT}`)).stdout, before, "nothing written, no audit line");
    for (const host of ["lb1", "lb2"]) assert.equal(await lockPresent(lab, host), false, `${host}: no lock taken`);
  });

  it("Ctrl-C during a phase: the step under way finishes whole, no other starts, exit 130 saying so; the next run finishes", async () => {
    const r = await runCli(["provision", lab.inventoryPath], { interruptOn: /^== harbor:/m });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    // done: the steps of earlier phases too (the shared-storage check before an install), then harbor.cfg.
    assert.match(
      r.stderr,
      /interrupted \(Ctrl-C\) during harbor; done: [^;]*harbor1 \(\d+ steps?\)[^;]*; not finished: harbor1; not started: [^;]*verify; run again to finish/,
    );
    assert.doesNotMatch(r.stderr, /fix the cause/i);
    const cfg = await lab.sshRun("harbor1", `cat ${HARBOR_CFG}; ls -a /opt/harbor`);
    assert.doesNotMatch(cfg.stdout, /# hand edit/, "harbor.cfg was written whole");
    assert.doesNotMatch(cfg.stdout, /\.harbor-ha\.[A-Za-z0-9]{8}/, "no temporary file left");
    for (const host of ["lb1", "lb2"]) assert.equal(await lockPresent(lab, host), false, `${host}: lock released`);
    // The audit line lists what the run did on harbor1: harbor.cfg last, install.sh (planned next) not.
    const audited = (await lab.sshRun("harbor1", `tail -n 1 ${AUDIT}`)).stdout;
    assert.match(audited, /provision: .*write \/opt\/harbor\/harbor\.cfg[^;]*$/m, "what changed is audited");
    assert.doesNotMatch(audited, /install\.sh/, "install.sh did not start after Ctrl-C");

    // Harbor never ran with the hand edit, so with harbor.cfg back the next run has nothing left to do there.
    const again = await runCli(["provision", lab.inventoryPath]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });
});

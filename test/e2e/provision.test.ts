/**
 * provision against the lab: real sshd, keepalived, MariaDB, Redis and Harbor's own
 * offline installer (1.4.0). The suite runs in order on one lab: refusals first (nothing may change),
 * then the first provision, the no-change re-run, drift repair and data safety.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { projectRoot } from "../../src/paths.js";
import type { CliResult } from "./helpers/cli.js";
import { renderLab, servicePids, sha256, statFiles, vipHolders } from "./helpers/cluster.js";

const HARBOR_CFG = "/opt/harbor/harbor.cfg";

/** Every output of every run, to check at the end that no secret leaked into any of them. */
const outputs: string[] = [];

async function harborHa(args: string[]): Promise<CliResult> {
  const r = await runCli(args);
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** A copy of the lab inventory with one text replaced, beside it (relative secret paths still resolve). */
function inventoryVariant(lab: Lab, name: string, from: string, to: string): string {
  const text = readFileSync(lab.inventoryPath, "utf8");
  assert.ok(text.includes(from), `the lab inventory has no "${from}"`);
  const path = join(lab.dir, name);
  writeFileSync(path, text.replace(from, to));
  return path;
}

/** Runs harbor-ha until its stderr matches `until`, then kills it (SIGKILL, as a crash or `kill -9`); returns what it printed. */
function runUntil(args: string[], until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot(), "bin", "harbor-ha.js"), ...args], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const watch = (b: Buffer) => {
      text += b.toString();
      if (until.test(text)) child.kill("SIGKILL");
    };
    child.stdout.on("data", watch);
    child.stderr.on("data", watch);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      outputs.push(text);
      if (until.test(text)) resolve(text);
      else reject(new Error(`harbor-ha ${args.join(" ")} ended before printing ${until}:\n${text}`));
    });
  });
}

async function managedFilesAbsent(lab: Lab): Promise<void> {
  for (const h of lab.hosts) {
    const path = h.role === "loadbalancer" ? "/etc/keepalived/keepalived.conf" : h.role === "harbor-node" ? HARBOR_CFG : undefined;
    if (!path) continue;
    const r = await lab.sshRun(h.name, `test -e ${path} && echo present || echo absent`);
    assert.equal(r.stdout.trim(), "absent", `${h.name}: ${path} was written by a run that should have changed nothing`);
  }
}

async function registryTables(lab: Lab): Promise<string> {
  const r = await lab.sshRun("db", "mariadb -N -e 'show tables' registry 2>&1 || true");
  return r.stdout;
}

describe("provision (https lab: 2 load balancers, 3 Harbor nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 3, protocol: "https" });
  });
  after(async () => {
    await labDown();
  });

  it("refuses a host whose key is not in known_hosts, and changes nothing", async () => {
    const known = readFileSync(join(lab.dir, "ssh", "known_hosts"), "utf8");
    const lb2 = lab.host("lb2").address;
    const partial = known
      .split("\n")
      .filter((l) => !l.includes(lb2))
      .join("\n");
    writeFileSync(join(lab.dir, "ssh", "known_hosts.partial"), partial);
    const inv = inventoryVariant(lab, "inventory-unknown-key.yaml", "ssh/known_hosts", "ssh/known_hosts.partial");
    const r = await harborHa(["provision", inv]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /lb2/);
    assert.match(r.stderr, /known_hosts\.partial/);
    assert.match(r.stderr, /--accept-new-host-keys/);
    await managedFilesAbsent(lab);
  });

  it("fails preflight on a wrong DB password with a clear message, and changes nothing on any host", async () => {
    writeFileSync(join(lab.dir, "secrets", "wrong-db-password"), "not-the-password\n", { mode: 0o600 });
    const inv = inventoryVariant(lab, "inventory-wrong-db.yaml", "secrets/db-password", "secrets/wrong-db-password");
    const r = await harborHa(["provision", inv]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /MariaDB at 198\.18\.0\.5:3306 refused user 'harbor'/);
    assert.ok(!r.stderr.includes("not-the-password"), "the wrong password itself must not be printed");
    await managedFilesAbsent(lab);
    assert.doesNotMatch(await registryTables(lab), /alembic_version/);
  });

  it("dry-run on a fresh lab plans every file, exits 3 and changes nothing", async () => {
    const r = await harborHa(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /write \/etc\/keepalived\/keepalived\.conf/);
    assert.match(r.stdout, /database \(load\)/);
    await managedFilesAbsent(lab);
  });

  it("provisions the cluster: files, schema, keepalived, VIP, health checks, Harbor", async () => {
    const jsonPath = join(lab.dir, "provision-report.json");
    const r = await harborHa(["provision", lab.inventoryPath, "--json", jsonPath]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    outputs.push(readFileSync(jsonPath, "utf8"));

    // Every rendered file is on its host with the rendered content, mode and owner.
    const desired = await renderLab(lab.inventoryPath);
    for (const d of desired.hosts) {
      const seen = await statFiles(
        lab,
        d.host.name,
        d.files.map((f) => f.path),
      );
      for (const f of d.files) {
        const s = seen.get(f.path);
        assert.ok(s?.present, `${d.host.name}: ${f.path} is missing`);
        assert.equal(s.sha256, sha256(f.content), `${d.host.name}: ${f.path} content`);
        assert.equal(s.mode, f.mode.toString(8), `${d.host.name}: ${f.path} mode`);
        // Names where the host knows them, numbers otherwise (uid 10000 has no name on most hosts).
        assert.ok(
          [s.owner, s.numericOwner].includes(`${f.owner}:${f.group}`),
          `${d.host.name}: ${f.path} owner ${s.owner} (${s.numericOwner}), expected ${f.owner}:${f.group}`,
        );
      }
    }
    // The shared storage is owned by Harbor's uid.
    const owner = await lab.sshRun("harbor1", "stat -c %u:%g /data/registry /data/job_logs");
    assert.deepEqual(owner.stdout.trim().split("\n"), ["10000:10000", "10000:10000"]);

    // The schema is in MariaDB.
    assert.match(await registryTables(lab), /alembic_version/);
    assert.match(await registryTables(lab), /project_member/);

    // keepalived runs on both load balancers; exactly one holds the VIP.
    for (const lb of ["lb1", "lb2"]) {
      const p = await lab.sshRun(lb, "kill -0 $(cat /run/keepalived.pid) && echo running");
      assert.equal(p.stdout.trim(), "running", `keepalived on ${lb}`);
    }
    assert.equal((await vipHolders(lab)).length, 1);

    // check.sh passes for every node from every load balancer.
    for (const lb of ["lb1", "lb2"]) {
      for (const node of lab.hosts.filter((h) => h.role === "harbor-node")) {
        const c = await lab.sshRun(lb, `/usr/local/bin/check.sh ${node.address}`);
        assert.equal(c.code, 0, `check.sh ${node.name} from ${lb}: ${c.stderr}`);
      }
    }

    // Every node runs Harbor's own install: its API answers with the cluster's hostname, and its
    // registry (behind nginx) asks for a token from the cluster's realm.
    for (const node of lab.hosts.filter((h) => h.role === "harbor-node")) {
      const info = await lab.sshRun(node.name, "curl -ksS https://127.0.0.1/api/systeminfo");
      assert.equal((JSON.parse(info.stdout) as { registry_url: string }).registry_url, "registry.lab.test", node.name);
      const v2 = await lab.sshRun(node.name, "curl -ks -D - -o /dev/null https://127.0.0.1/v2/");
      assert.match(v2.stdout, /Bearer realm="https:\/\/registry\.lab\.test\/service\/token"/, node.name);
    }

    const report = JSON.parse(readFileSync(jsonPath, "utf8")) as { run: { ok: boolean }; hosts: Array<{ name: string; status: string }> };
    assert.equal(report.run.ok, true);
    assert.ok(report.hosts.every((h) => h.status === "changed"));
  });

  it("a second run changes nothing and restarts nothing", async () => {
    const before = await servicePids(lab);
    const r = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No change/);
    assert.doesNotMatch(r.stderr, /\bok\b.*(write|restart|reload|install)/);
    assert.deepEqual(await servicePids(lab), before);
    const dry = await harborHa(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(dry.code, 0, dry.stdout);
    assert.match(dry.stdout, /Nothing to change/);
  });

  it("shows a hand edit of harbor.cfg as exactly that diff in --dry-run, then restores it", async () => {
    await lab.sshRun("harbor3", `sed -i 's/^max_job_workers = .*/max_job_workers = 42/' ${HARBOR_CFG}`);
    const edited = (await lab.sshRun("harbor3", `sha256sum ${HARBOR_CFG}`)).stdout;
    const dry = await harborHa(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
    const changed = dry.stdout.split("\n").filter((l) => /^\s+[-+][^-+]/.test(l));
    assert.deepEqual(
      changed.map((l) => l.trim()),
      ["-max_job_workers = 42", "+max_job_workers = 3"],
    );
    // Only harbor3 changes its Harbor (the others may take part in the shared-storage check that precedes its install).
    const section = (host: string) => dry.stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${host} (`)) ?? "";
    assert.match(section("harbor3"), /\[harbor\] write \/opt\/harbor\/harbor\.cfg/);
    assert.match(section("harbor3"), /\[harbor\] run install\.sh --ha/);
    for (const other of ["harbor1", "harbor2"]) assert.doesNotMatch(section(other), /\[harbor\]/, `${other} plans no Harbor change`);
    assert.equal((await lab.sshRun("harbor3", `sha256sum ${HARBOR_CFG}`)).stdout, edited, "dry-run changed the file");

    const r = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(r.code, 0, r.stderr);
    const desired = await renderLab(lab.inventoryPath);
    const cfg = desired.hosts.find((h) => h.host.name === "harbor3")?.files.find((f) => f.path === HARBOR_CFG);
    const seen = await statFiles(lab, "harbor3", [HARBOR_CFG]);
    assert.equal(seen.get(HARBOR_CFG)?.sha256, sha256(cfg?.content ?? ""));
    const backup = await lab.sshRun("harbor3", `grep -c 'max_job_workers = 42' ${HARBOR_CFG}.harbor-ha.bak`);
    assert.equal(backup.stdout.trim(), "1", "the previous version is kept as a backup");
  });

  it("never touches data already in the registry database", async () => {
    await lab.sshRun(
      "db",
      "mariadb registry -e \"insert into project (owner_id, name, creation_time, update_time, deleted) values (1, 'kept-project', now(), now(), 0)\"",
    );
    const dump = "mariadb -N registry -e 'select * from project order by project_id; select user_id, username, email from user order by user_id'";
    const beforeRows = (await lab.sshRun("db", dump)).stdout;
    assert.match(beforeRows, /kept-project/);
    const r = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /already holds Harbor's schema/);
    assert.equal((await lab.sshRun("db", dump)).stdout, beforeRows);
  });

  it("a value that stops keepalived, on a running cluster: the backup fails first, the VIP holder is not touched, the VIP stays", async () => {
    const holders = await vipHolders(lab);
    assert.deepEqual(holders, ["lb1"]);
    // A valid value (a pid file under /run), but keepalived exits when it cannot write its pid file: its folder does not exist.
    const inv = inventoryVariant(
      lab,
      "inventory-bad-daemon.yaml",
      'daemon_options: "--vrrp -D"',
      'daemon_options: "--vrrp -D -p /run/nonexistent/keepalived.pid"',
    );
    const r = await harborHa(["provision", inv]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /lb2: keepalived is not running after its configuration was applied/);
    // keepalived dies before it logs why (its pidfile comes before syslog); its last lines are quoted.
    assert.match(r.stderr, /its last log lines:\n.*Keepalived/);
    assert.deepEqual(await vipHolders(lab), ["lb1"], "the VIP stayed where it was");
    const lb1 = await lab.sshRun("lb1", "cat /etc/default/keepalived; kill -0 $(cat /run/keepalived.pid) && echo running");
    assert.doesNotMatch(lb1.stdout, /nonexistent/, "the VIP holder was not changed after the backup failed");
    assert.match(lb1.stdout, /running/);

    const fixed = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    for (const lb of ["lb1", "lb2"]) assert.match((await lab.sshRun(lb, "kill -0 $(cat /run/keepalived.pid) && echo running")).stdout, /running/, lb);
  });

  it("reaches the database through an SSH tunnel via a named host", async () => {
    // "db" resolves only inside the lab's hosts: the operator's machine cannot reach it directly.
    const tunnelled = (host: string) =>
      readFileSync(lab.inventoryPath, "utf8").replace("host: 198.18.0.5\n  port: 3306", `host: ${host}\n  port: 3306\n  tunnel_via: harbor1`);
    const same = join(lab.dir, "inventory-tunnel.yaml");
    writeFileSync(same, tunnelled("198.18.0.5"));
    assert.match(readFileSync(same, "utf8"), /tunnel_via: harbor1/);
    const r = await harborHa(["provision", same, "--dry-run"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /database \(skip\): registry database already holds Harbor's schema/);

    // Through the tunnel the tool also reads the connection Harbor 1.4 recorded at its first start:
    // its UI keeps using that one, so renaming the server in the inventory is refused, not "done".
    const renamed = join(lab.dir, "inventory-tunnel-renamed.yaml");
    writeFileSync(renamed, tunnelled("db"));
    const refused = await harborHa(["provision", renamed, "--dry-run"]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /db_host: Harbor uses 198\.18\.0\.5, the inventory says db/);
  });

  it("a failing step names host, step, command, exit code and stderr; later phases do not start", async () => {
    // harbor2's Harbor installer is broken (prepare not executable) and its harbor.cfg changes: install.sh fails there.
    await lab.sshRun("harbor2", "chmod -x /opt/harbor/prepare");
    const inv = inventoryVariant(
      lab,
      "inventory-bad-node.yaml",
      "  - name: harbor2\n",
      "  - name: harbor2\n    harbor_cfg: { log_rotate_count: 3 }\n",
    );
    const r = await harborHa(["provision", inv]);
    await lab.sshRun("harbor2", "chmod +x /opt/harbor/prepare");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /FAIL harbor2: run install\.sh --ha/);
    assert.match(r.stderr, /exited with code 126/);
    assert.match(r.stderr, /\.\/install\.sh --ha/);
    assert.match(r.stderr, /prepare: Permission denied/);
    assert.match(r.stderr, /harbor failed on harbor2; later phases did not start/);
    assert.doesNotMatch(r.stderr, /== verify/);
    assert.match(r.stdout, /harbor2\s+harbor-node\s+failed/);
    // Put it back for whoever runs next.
    const fixed = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(fixed.code, 0, fixed.stderr);
  });

  it("a Harbor change for every serving node is refused (more than --serial restarts), changes nothing, and --dry-run shows it with the refusal", async () => {
    const inv = inventoryVariant(lab, "inventory-all-nodes.yaml", "harbor:\n", "harbor:\n  extra_cfg: { max_job_workers: 5 }\n");
    assert.match(readFileSync(inv, "utf8"), /max_job_workers: 5/);
    const before = await Promise.all(["harbor1", "harbor2", "harbor3"].map(async (n) => (await lab.sshRun(n, `sha256sum ${HARBOR_CFG}`)).stdout));
    const r = await harborHa(["provision", inv]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /restarting Harbor, on 3 serving nodes at once \(harbor1, harbor2, harbor3\), more than --serial 1 allows/);
    assert.match(r.stderr, /harbor-ha reconfigure/);
    const dry = await harborHa(["provision", inv, "--dry-run"]);
    assert.equal(dry.code, 3, dry.stdout + dry.stderr);
    assert.match(dry.stderr, /provision would refuse this plan/);
    assert.match(dry.stdout, /\+max_job_workers = 5/);
    const after = await Promise.all(["harbor1", "harbor2", "harbor3"].map(async (n) => (await lab.sshRun(n, `sha256sum ${HARBOR_CFG}`)).stdout));
    assert.deepEqual(after, before, "a refused run wrote harbor.cfg");
  });

  it("a run killed between writing keepalived.conf and reloading it: status says so, the next run reloads (not 'No change')", async () => {
    // lb2's reload hangs (a wrapper ahead of Debian's service in PATH), so the kill lands exactly in between.
    const wrapper = '#!/bin/sh\nif [ "$1 $2" = "keepalived reload" ]; then exec sleep 120; fi\nexec /usr/sbin/service "$@"\n';
    await lab.sshRun("lb2", "cat > /usr/local/sbin/service && chmod 755 /usr/local/sbin/service", { input: Buffer.from(wrapper) });
    const inv = inventoryVariant(lab, "inventory-advert-2.yaml", "advert_int: 1", "advert_int: 2");
    const killed = await runUntil(["provision", inv, "-v"], /\[lb2\] \$ service keepalived reload/);
    await lab.sshRun("lb2", "rm -f /usr/local/sbin/service");
    assert.match(
      (await lab.sshRun("lb2", "grep advert_int /etc/keepalived/keepalived.conf")).stdout,
      /advert_int 2/,
      `the file was not written before the kill:\n${killed}`,
    );

    const status = await harborHa(["status", inv]);
    assert.equal(status.code, 1, status.stdout + status.stderr);
    assert.match(status.stdout + status.stderr, /lb2.*a change was written but never applied: keepalived has not reloaded/);
    assert.match(status.stdout, /lock: lb1 — /, "the killed run's lock is shown");
    // The killed run left its lock; the operator breaks it as the lock's message says.
    const r = await harborHa(["provision", inv, "--force-unlock"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /ok\s+lb2: reload keepalived/);
    assert.doesNotMatch(r.stdout, /No change/);
    const clean = await harborHa(["status", inv]);
    assert.doesNotMatch(clean.stdout + clean.stderr, /never applied/);
    assert.equal(
      (await lab.sshRun("lb2", "ls -A /var/lib/harbor-ha/pending; ls -A /etc/keepalived")).stdout
        .split("\n")
        .filter((l) => /harbor-ha-check|reload-keepalived/.test(l)).length,
      0,
      "a marker or a candidate is left",
    );
    // Back to the lab's own inventory for the tests after this one.
    const back = await harborHa(["provision", lab.inventoryPath]);
    assert.equal(back.code, 0, back.stdout + back.stderr);
  });

  it("no secret from the inventory appears in any output or report", () => {
    const secrets = ["db-password", "vrrp-pass", "harbor-admin-password"].map((n) => lab.secret(n));
    const key = readFileSync(join(lab.dir, "tls", "server.key"), "utf8").split("\n")[1] ?? "";
    for (const text of outputs) {
      for (const s of [...secrets, key]) assert.ok(s.length > 0 && !text.includes(s), `a secret leaked into an output:\n${text.slice(0, 400)}`);
    }
  });
});

describe("provision (http lab: 2 load balancers, 2 Harbor nodes)", { timeout: 600_000 }, () => {
  let lab: Lab;
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 2, protocol: "http" });
  });
  after(async () => {
    await labDown();
  });

  it("provisions over http and every node passes check.sh from every load balancer", async () => {
    const r = await runCli(["provision", lab.inventoryPath]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const lb of ["lb1", "lb2"]) {
      for (const node of lab.hosts.filter((h) => h.role === "harbor-node")) {
        const c = await lab.sshRun(lb, `/usr/local/bin/check.sh ${node.address}`);
        assert.equal(c.code, 0, `check.sh ${node.name} from ${lb}: ${c.stderr}`);
      }
    }
    const info = await lab.sshRun("harbor1", "curl -sS http://127.0.0.1/api/systeminfo");
    assert.equal((JSON.parse(info.stdout) as { registry_url: string }).registry_url, "registry.lab.test");
    assert.equal((await vipHolders(lab)).length, 1);
  });
});

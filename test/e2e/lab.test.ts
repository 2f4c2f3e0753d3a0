/**
 * The lab itself: real SSH hosts with strict host-key checking, private file systems,
 * shared storage, MariaDB + Redis, VRRP failover between two keepalived LBs, and what a
 * Harbor 1.x VM has (Python 2, docker and docker-compose: the lab's shims running real
 * Docker distribution and nginx). After `down`, nothing of the lab may be left on the machine.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { buildInventorySchema } from "../../src/inventory/schema.js";
import { Secret } from "../../src/inventory/secret.js";
import { labDown, labLeftovers, labUp, type Lab } from "./helpers/lab.js";

let lab: Lab;
let pids: number[] = [];

async function ok(host: string, command: string, opts?: Parameters<Lab["sshRun"]>[2]): Promise<string> {
  const r = await lab.sshRun(host, command, opts);
  assert.equal(r.code, 0, `${host}: ${command} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("lab", { timeout: 300_000 }, () => {
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 3, protocol: "https" });
    pids = lab.hosts.flatMap((h) => [h.pid, h.initPid]);
  });

  after(async () => {
    await labDown();
    assert.deepEqual(labLeftovers(pids), [], "the lab left something behind");
  });

  it("reaches every host over SSH with strict host-key checking", async () => {
    assert.deepEqual(
      lab.hosts.map((h) => h.name),
      ["db", "lb1", "lb2", "harbor1", "harbor2", "harbor3"],
    );
    for (const h of lab.hosts) assert.equal((await ok(h.name, "hostname")).trim(), h.name);
    // Without the lab's known_hosts the host key is unknown and refused.
    const r = await lab.sshRun("lb1", "true", { sshArgs: ["-o", "UserKnownHostsFile=/dev/null"] });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Host key verification failed/);
    // Each host has its own key: the known_hosts lines are all different.
    const keys = readFileSync(join(lab.dir, "ssh", "known_hosts"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[2]);
    assert.equal(new Set(keys).size, lab.hosts.length);
  });

  it("reaches harbor2 as ops with passwordless sudo", async () => {
    assert.equal(lab.host("harbor2").sshUser, "ops");
    assert.equal((await ok("harbor2", "id -un; sudo -n id -un", { user: "ops" })).trim(), "ops\nroot");
  });

  it("keeps each host's files private and /data/registry shared", async () => {
    await ok("harbor1", "echo h1 > /etc/lab-private && echo tool > /usr/local/bin/lab-tool && echo shared > /data/registry/lab-shared");
    for (const other of ["harbor2", "harbor3", "lb1"]) {
      assert.equal((await ok(other, "ls /etc/lab-private /usr/local/bin/lab-tool 2>/dev/null | wc -l")).trim(), "0");
    }
    assert.equal((await ok("harbor3", "cat /data/registry/lab-shared")).trim(), "shared");
    assert.equal((await ok("harbor2", "mountpoint -q /data/job_logs && echo yes")).trim(), "yes");
    assert.ok(!existsSync("/etc/lab-private"), "a host's write reached the machine");
  });

  it("serves MariaDB and Redis to the Harbor hosts", async () => {
    const db = lab.secret("db-password");
    const noPassword = await lab.sshRun("harbor1", "mariadb -h 198.18.0.5 -u harbor -e 'select 1'");
    assert.notEqual(noPassword.code, 0, "MariaDB accepted harbor without a password");
    assert.equal((await ok("harbor1", `MYSQL_PWD='${db}' mariadb -h 198.18.0.5 -u harbor -N -e 'select 1'`)).trim(), "1");
    const wrong = await lab.sshRun("harbor1", "MYSQL_PWD=wrong mariadb -h 198.18.0.5 -u harbor -e 'select 1'");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Access denied/);
    // The registry database is the tool's to create.
    assert.equal((await ok("db", "mariadb -N -e \"show databases like 'registry'\"")).trim(), "");
    // Harbor 1.x's HA registry config cannot carry a Redis password: the lab's Redis has none.
    assert.equal((await ok("harbor2", "redis-cli -h 198.18.0.5 ping")).trim(), "PONG");
  });

  it("elects one VIP holder among two keepalived LBs and moves the VIP within 5 s", async () => {
    const conf = (priority: number) => `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  authentication { auth_type PASS
    auth_pass ${lab.secret("vrrp-pass")} }
  virtual_ipaddress { ${lab.vip}/24 }
}
`;
    for (const [lb, prio] of [
      ["lb1", 150],
      ["lb2", 100],
    ] as const) {
      await ok(lb, "cat > /etc/keepalived/keepalived.conf && echo 'DAEMON_ARGS=\"--vrrp -D\"' > /etc/default/keepalived", { input: conf(prio) });
      await ok(lb, "service keepalived start");
    }
    const holders = async () => {
      const out: string[] = [];
      for (const lb of ["lb1", "lb2"]) if ((await ok(lb, "ip -4 -o addr show eth0")).includes(`${lab.vip}/`)) out.push(lb);
      return out;
    };
    let now: string[] = [];
    for (let i = 0; i < 100 && now.length !== 1; i++) {
      await sleep(100);
      now = await holders();
    }
    assert.equal(now.length, 1, `expected one VIP holder, got ${now.join(",") || "none"}`);
    const [holder] = now;
    const other = holder === "lb1" ? "lb2" : "lb1";
    await ok(holder!, "service keepalived stop");
    const t0 = Date.now();
    while (!(await holders()).includes(other) && Date.now() - t0 < 5000) await sleep(50);
    const movedMs = Date.now() - t0;
    assert.deepEqual(await holders(), [other], `VIP did not move to ${other} within 5 s`);
    assert.ok(movedMs <= 5000, `VIP moved in ${movedMs} ms`);
    assert.match(await ok(other, "cat /var/log/syslog"), /Entering MASTER STATE/);
    await ok(other, "service keepalived stop");
  });

  it("writes an inventory the schema accepts", () => {
    const raw = parse(readFileSync(lab.inventoryPath, "utf8")) as unknown;
    const base = dirname(lab.inventoryPath);
    const schema = buildInventorySchema({
      secret: (s) => {
        const m = /^\$\{file:(.+)\}$/.exec(s);
        if (!m) return { ok: true, value: new Secret(s) };
        const path = isAbsolute(m[1]!) ? m[1]! : join(base, m[1]!);
        return existsSync(path)
          ? { ok: true, value: new Secret(readFileSync(path, "utf8").trim(), `file:${path}`) }
          : { ok: false, message: `no file ${path}` };
      },
      localFile: (p, use) => (use === "run" || existsSync(p) ? { ok: true, value: p } : { ok: false, message: `no file ${p}` }),
    });
    const r = schema.safeParse(raw);
    assert.ok(r.success, JSON.stringify(r.error?.issues));
    assert.equal(r.data.cluster.vip, "198.18.0.100/24");
    assert.equal(r.data.keepalived.daemon_options, "--vrrp -D");
    assert.deepEqual(r.data.harbor_nodes.find((n) => n.name === "harbor2")?.ssh, { user: "ops", sudo: true });
    assert.ok(existsSync(r.data.installer.bundle));
  });

  it("gives Harbor nodes what a Harbor 1.x VM has: Python 2, docker and docker-compose that install.sh accepts", async () => {
    const python = await lab.sshRun("harbor3", "/usr/bin/python -c 'import ConfigParser, sys; print(sys.version_info[0])'");
    assert.equal(python.code, 0, python.stderr);
    assert.equal(python.stdout.trim(), "2");
    assert.match(await ok("harbor3", "docker --version"), /^Docker version 1\d\.\d+\.\d+/);
    assert.match(await ok("harbor3", "docker-compose --version"), /^docker-compose version 1\.\d+\.\d+/);
    // The load balancers are not Harbor nodes.
    assert.notEqual((await lab.sshRun("lb1", "command -v docker-compose")).code, 0);
  });

  it("runs Harbor's own install.sh: prepare's config starts the real registry and nginx, a re-run restarts them", async () => {
    await ok("db", "mariadb -e 'create database registry'");
    await ok("db", "tar xzf - -O harbor/ha/registry.sql | mariadb registry", { input: readFileSync(lab.installer) });
    await ok("harbor3", "cd /opt && tar xzf - && mkdir -p /data/cert", { input: readFileSync(lab.installer) });
    await ok("harbor3", "cat > /data/cert/server.crt", { input: readFileSync(join(lab.dir, "tls", "server.crt")) });
    await ok("harbor3", "cat > /data/cert/server.key", { input: readFileSync(join(lab.dir, "tls", "server.key")) });
    await ok(
      "harbor3",
      "sed -i -e 's/^hostname *=.*/hostname = registry.lab.test/' -e 's/^ui_url_protocol *=.*/ui_url_protocol = https/' -e 's/^db_host *=.*/db_host = 198.18.0.5/' -e 's/^db_user *=.*/db_user = harbor/' -e \"s/^db_password *=.*/db_password = $(cat)/\" -e 's/^redis_url *=.*/redis_url = 198.18.0.5:6379/' /opt/harbor/harbor.cfg",
      { input: lab.secret("db-password") },
    );
    // Without an answer to prepare's shared-storage question, Harbor's install.sh dies (no terminal).
    const unanswered = await lab.sshRun("harbor3", "cd /opt/harbor && ./install.sh --ha </dev/null");
    assert.notEqual(unanswered.code, 0);
    assert.match(unanswered.stdout + unanswered.stderr, /EOFError/);
    const install = await ok("harbor3", "cd /opt/harbor && echo yes | TERM=dumb ./install.sh --ha");
    assert.match(install, /Harbor has been installed and started successfully/);
    const registryPid = async () => (await ok("harbor3", "pgrep -f '[d]ocker-registry serve'")).trim();
    const first = await registryPid();
    // install.sh returns right after `docker-compose up -d`: the registry answers a moment later.
    let v2 = "";
    for (let i = 0; i < 120 && !/^HTTP\/1\.1 401/.test(v2); i++) {
      if (i > 0) await sleep(500);
      v2 = await ok("harbor1", "curl -ks -D - -o /dev/null https://198.18.0.23/v2/");
    }
    assert.match(v2, /^HTTP\/1\.1 401/);
    assert.match(v2, /Bearer realm="https:\/\/registry\.lab\.test\/service\/token"/);
    await ok("harbor3", "cd /opt/harbor && echo yes | TERM=dumb ./install.sh --ha");
    const second = await registryPid();
    assert.notEqual(second, first, "install.sh did not restart the registry");
    assert.equal(second.split("\n").length, 1, "one registry after a re-run");
  });
});

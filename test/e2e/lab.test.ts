/**
 * The lab itself: real SSH hosts with strict host-key checking, private file systems,
 * shared storage, MariaDB + Redis, VRRP failover between two keepalived LBs, and the
 * Harbor stand-in. After `down`, nothing of the lab may be left on the machine.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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
    assert.deepEqual(lab.hosts.map((h) => h.name), ["db", "lb1", "lb2", "harbor1", "harbor2", "harbor3"]);
    for (const h of lab.hosts) assert.equal((await ok(h.name, "hostname")).trim(), h.name);
    // Without the lab's known_hosts the host key is unknown and refused.
    const r = await lab.sshRun("lb1", "true", { sshArgs: ["-o", "UserKnownHostsFile=/dev/null"] });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Host key verification failed/);
    // Each host has its own key: the known_hosts lines are all different.
    const keys = readFileSync(join(lab.dir, "ssh", "known_hosts"), "utf8").trim().split("\n").map((l) => l.split(" ")[2]);
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
    const redis = lab.secret("redis-password");
    const noPassword = await lab.sshRun("harbor1", "mariadb -h 198.18.0.5 -u harbor -e 'select 1'");
    assert.notEqual(noPassword.code, 0, "MariaDB accepted harbor without a password");
    assert.equal((await ok("harbor1", `MYSQL_PWD='${db}' mariadb -h 198.18.0.5 -u harbor -N -e 'select 1'`)).trim(), "1");
    const wrong = await lab.sshRun("harbor1", "MYSQL_PWD=wrong mariadb -h 198.18.0.5 -u harbor -e 'select 1'");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Access denied/);
    // The registry database is the tool's to create.
    assert.equal((await ok("db", "mariadb -N -e \"show databases like 'registry'\"")).trim(), "");
    assert.equal((await ok("harbor2", `REDISCLI_AUTH='${redis}' redis-cli -h 198.18.0.5 ping`)).trim(), "PONG");
    assert.match(await ok("harbor2", "redis-cli -h 198.18.0.5 ping"), /NOAUTH/);
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
    for (const [lb, prio] of [["lb1", 150], ["lb2", 100]] as const) {
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
        return existsSync(path) ? { ok: true, value: new Secret(readFileSync(path, "utf8").trim(), `file:${path}`) } : { ok: false, message: `no file ${path}` };
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

  it("installs the Harbor stand-in, restarts it cleanly and fails on a wrong DB password", async () => {
    await ok("db", "mariadb", { input: "create database registry; create table registry.alembic_version (version_num varchar(32)); insert into registry.alembic_version values ('1.4.0');" });
    const bundle = readFileSync(join(lab.dir, "harbor-offline-installer-v1.4.0.tgz"));
    await ok("harbor3", "cd /opt && tar xzf - && mkdir -p /data/cert", { input: bundle });
    await ok("harbor3", "cat > /data/cert/server.crt", { input: readFileSync(join(lab.dir, "tls", "server.crt")) });
    await ok("harbor3", "cat > /data/cert/server.key", { input: readFileSync(join(lab.dir, "tls", "server.key")) });
    const cfg = (dbPassword: string) => standinCfg(dbPassword, lab.secret("redis-password"));
    await ok("harbor3", "cat > /opt/harbor/harbor.cfg", { input: cfg(lab.secret("db-password")) });
    const install = await ok("harbor3", "cd /opt/harbor && ./install.sh --ha");
    assert.match(install, /Harbor has been installed and started successfully/);

    const info = JSON.parse(await ok("harbor1", "curl -sfk https://198.18.0.23/api/systeminfo")) as Record<string, unknown>;
    assert.equal(info.registry_url, "registry.lab.test");
    assert.equal((await ok("harbor1", "curl -sfk https://198.18.0.23/api/repositories/top")).trim(), "[]");
    assert.match(await ok("harbor1", "curl -si http://198.18.0.23/api/systeminfo"), /^HTTP\/1.0 301/);
    const state = JSON.parse(await ok("harbor3", "curl -sfk https://127.0.0.1/standin/state")) as Record<string, any>;
    assert.equal(state.config.db_password, "sha256:" + createHash("sha256").update(lab.secret("db-password")).digest("hex"));
    assert.equal(state.tls_cert_sha256, createHash("sha256").update(readFileSync(join(lab.dir, "tls", "server.crt"))).digest("hex"));
    assert.equal(state.mariadb.reachable, true);
    assert.equal(state.redis.reachable, true);
    assert.match(String(state.secretkey_sha256), /^[0-9a-f]{64}$/);

    await ok("harbor3", "cd /opt/harbor && ./install.sh --ha");
    const again = JSON.parse(await ok("harbor3", "curl -sfk https://127.0.0.1/standin/state")) as Record<string, any>;
    assert.notEqual(again.pid, state.pid, "install.sh did not restart the server");
    assert.equal(again.secretkey_sha256, state.secretkey_sha256, "the secret key must survive a reinstall");
    assert.equal((await ok("harbor3", "pgrep -fc standin/server.py")).trim(), "1");

    await ok("harbor3", "cat > /opt/harbor/harbor.cfg", { input: cfg("wrong-password") });
    const failed = await lab.sshRun("harbor3", "cd /opt/harbor && ./install.sh --ha");
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /access denied; check db_user\/db_password in harbor.cfg/);
  });
});

/** A hand-written harbor.cfg with every key Harbor 1.4's prepare reads. */
function standinCfg(dbPassword: string, redisPassword: string): string {
  return `hostname = registry.lab.test
ui_url_protocol = https
max_job_workers = 3
customize_crt = off
ssl_cert = /data/cert/server.crt
ssl_cert_key = /data/cert/server.key
secretkey_path = /data
admiral_url = NA
log_rotate_count = 50
log_rotate_size = 200M
http_proxy =
https_proxy =
no_proxy = 127.0.0.1,localhost,ui
email_identity =
email_server = smtp.lab.test
email_server_port = 25
email_username = admin@lab.test
email_password = unused
email_from = admin <admin@lab.test>
email_ssl = false
email_insecure = false
harbor_admin_password = Lab-Admin-1
auth_mode = db_auth
ldap_url = ldaps://ldap.lab.test
ldap_basedn = ou=people,dc=lab,dc=test
ldap_uid = uid
ldap_scope = 3
ldap_timeout = 5
self_registration = off
token_expiration = 30
project_creation_restriction = adminonly
verify_remote_cert = on
db_host = 198.18.0.5
db_password = ${dbPassword}
db_port = 3306
db_user = harbor
redis_url = 198.18.0.5:6379,100,${redisPassword},0
clair_db_host = postgres
clair_db_password = password
clair_db_port = 5432
clair_db_username = postgres
clair_db = postgres
uaa_endpoint = uaa.lab.test
uaa_clientid = id
uaa_clientsecret = secret
uaa_verify_cert = true
uaa_ca_cert = /path/to/ca.pem
registry_storage_provider_name = filesystem
registry_storage_provider_config =
`;
}

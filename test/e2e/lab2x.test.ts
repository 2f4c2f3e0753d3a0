/**
 * The lab for Harbor 2.x (`lab.sh up --harbor-version 2.15`): Harbor 2.15.1's own install.sh and
 * prepare run unchanged on every node (prepare is the goharbor/prepare image's code, run by the
 * lab's `docker run` shim), PostgreSQL and Redis on the db host, the real registry and nginx,
 * stand-ins for Harbor's Go services reading what prepare wrote. harbor.yml and the shared
 * secrets are written by lab/harbor2/harbor2-node.sh until the tool renders them; a real client
 * (skopeo) pushes through one node and pulls through the other.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../src/paths.js";
import { labDown, labLeftovers, labUp, type Lab } from "./helpers/lab.js";
import { fetchToken, makeImage, pullImage, pushImage, statusWithToken } from "./helpers/registry.js";

const execFileAsync = promisify(execFile);
const NODES = ["harbor1", "harbor2"] as const;

let lab: Lab;
let pids: number[] = [];
let work: string;

async function ok(host: string, command: string, timeoutMs = 60_000): Promise<string> {
  const r = await lab.sshRun(host, command, { timeoutMs });
  assert.equal(r.code, 0, `${host}: ${command} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** lab/harbor2/harbor2-node.sh NODE ARGS...: harbor.yml + shared secrets, optionally install.sh. */
async function harbor2Node(node: string, args: string[]): Promise<string> {
  try {
    const r = await execFileAsync(join(projectRoot(), "lab", "harbor2", "harbor2-node.sh"), [node, ...args], {
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return r.stdout + r.stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`harbor2-node.sh ${node} ${args.join(" ")} failed: ${err.message}\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

/** Polls `probe` on `node` until it prints `want` (install.sh returns before Harbor answers). */
async function waitFor(node: string, probe: string, want: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  let last = "";
  for (;;) {
    last = (await lab.sshRun(node, probe)).stdout;
    if (want.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`${node}: ${what} not seen within 120 s; last answer: ${last}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

const pingCore = "curl -ks -o /dev/null -w '%{http_code}' https://127.0.0.1/api/v2.0/ping";
const coreHealth = "curl -ks https://127.0.0.1/api/v2.0/health";
/** The jobservice's /api/v1/stats with the CORE_SECRET prepare wrote (Harbor asks none for stats, api/router.go; a right one does no harm). */
const jobStats =
  "curl -s -H \"Authorization: Harbor-Secret $(sed -n 's/^CORE_SECRET=//p' /opt/harbor/common/config/core/env)\" http://jobservice:8080/api/v1/stats";

describe("lab for Harbor 2.15 (https: 1 load balancer, 2 nodes)", { timeout: 900_000 }, () => {
  before(async () => {
    lab = await labUp({ lbs: 1, nodes: 2, protocol: "https", harborVersion: "2.15" });
    pids = lab.hosts.flatMap((h) => [h.pid, h.initPid]);
    work = mkdtempSync(join(tmpdir(), "hha-lab2x-"));
  });

  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await labDown();
    assert.deepEqual(labLeftovers(pids), [], "the lab left something behind");
  });

  it("uses Harbor 2.15.1's own bundle and says so", () => {
    assert.equal(lab.harborVersion, "2.15.1");
    assert.match(lab.installer, /shared\/harbor\/harbor-offline-installer-v2\.15\.1-noimages\.tgz$/);
    assert.deepEqual(lab.database, { engine: "postgresql", port: 5432 });
  });

  it("gives Harbor nodes what a Harbor 2.x VM has: docker, docker compose, the prepare image, htpasswd", async () => {
    assert.match(await ok("harbor1", "docker --version"), /^Docker version 27\.\d+\.\d+/);
    assert.match(await ok("harbor1", "docker compose version"), /^Docker Compose version v2\.\d+\.\d+/);
    assert.match(await ok("harbor2", "docker-compose --version"), /^docker-compose version 1\.\d+\.\d+/);
    // Every release in ../shared/harbor is "loaded" (its prepare code and core's schema scripts), as for an upgrade.
    assert.equal((await ok("harbor2", "test -f /var/lib/lab-docker/releases/v2.15.1/prepare/main.py && echo yes")).trim(), "yes");
    assert.equal((await ok("harbor2", "ls /var/lib/lab-docker/releases/v2.15.2/migrations | tail -1")).trim(), "0180_2.15.0_schema.up.sql");
    const help = await lab.sshRun("harbor1", "docker run --rm goharbor/prepare:v2.13.4 --help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /migrate/);
    assert.equal(
      (await ok("harbor2", "python3 -c 'import yaml, jinja2, click, packaging; print(1)' && command -v htpasswd")).trim(),
      "1\n/usr/bin/htpasswd",
    );
    // An image the lab cannot run is refused as docker refuses an image it cannot find.
    const r = await lab.sshRun("harbor1", "docker run --rm goharbor/harbor-core:dev");
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /Unable to find image 'goharbor\/harbor-core:dev'/);
  });

  it("serves PostgreSQL (role harbor with the lab's password, no registry database yet) and Redis", async () => {
    const pw = lab.secret("db-password");
    const login = await ok(
      "harbor1",
      `PGPASSWORD='${pw}' psql -h 198.18.0.5 -U harbor -d postgres -Atc "select rolcreatedb from pg_roles where rolname = 'harbor'"`,
    );
    assert.equal(login.trim(), "t", "the harbor role may create databases");
    const wrong = await lab.sshRun("harbor1", "PGPASSWORD=wrong psql -h 198.18.0.5 -U harbor -d postgres -c 'select 1'");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /password authentication failed/);
    assert.equal((await ok("db", "runuser -u postgres -- psql -Atc \"select count(*) from pg_database where datname = 'registry'\"")).trim(), "0");
    assert.equal((await ok("harbor2", "redis-cli -h 198.18.0.5 ping")).trim(), "PONG");
  });

  it("runs Harbor's own install.sh unchanged on every node, with the shared secrets pre-seeded", async () => {
    const first = await harbor2Node("harbor1", ["--create-database", "--install"]);
    assert.match(first, /Harbor has been installed and started successfully/);
    assert.match(first, /loaded secret from file: \/data\/secret\/keys\/secretkey/, "prepare reused the pre-seeded secretkey");
    assert.match(await harbor2Node("harbor2", ["--install"]), /Harbor has been installed and started successfully/);
    for (const node of NODES) {
      await waitFor(node, pingCore, /^200$/, "core's /api/v2.0/ping through nginx");
      // What harbor-ha's load balancers ask: anonymous health, every component healthy (checkers run every 10 s).
      await waitFor(node, coreHealth, /^\{"components":\[.*\],"status":"healthy"\}\n?$/, "core's /api/v2.0/health: healthy");
      const ps = await ok(node, "cd /opt/harbor && docker compose ps");
      for (const name of ["registry", "nginx", "harbor-core", "harbor-jobservice", "registryctl", "harbor-portal", "harbor-log"]) {
        assert.match(ps, new RegExp(`^${name} .* Up`, "m"), `${node}: ${name} runs\n${ps}`);
      }
      assert.doesNotMatch(ps, /harbor-db|redis/, `${node}: external PostgreSQL and Redis, no containers for them`);
      const procs = await ok(node, "ps -eo args");
      assert.match(procs, /docker-registry serve \/etc\/registry\/config\.yml/, `${node} runs Docker distribution`);
      assert.match(procs, /nginx: master process/, `${node} runs nginx`);
      // The key prepare left in place is the cluster's, not one of its own.
      assert.equal(
        await ok(node, "sha256sum < /data/secret/core/private_key.pem"),
        await ok("harbor1", "sha256sum < /data/secret/core/private_key.pem"),
      );
      const v2 = await ok(node, "curl -ks -D - -o /dev/null https://127.0.0.1/v2/");
      assert.match(v2, /^HTTP\/1\.1 401/);
      assert.match(v2, /Bearer realm="https:\/\/registry\.lab\.test\/service\/token",service="harbor-registry"/i);
    }
    const schema = await ok("db", "runuser -u postgres -- psql -d registry -Atc 'select version, dirty from schema_migrations'");
    assert.equal(schema.trim(), "180|f", "core migrated the schema to 2.15's version, as golang-migrate records it");
  });

  it("an image pushed through harbor1 is pulled through harbor2 (shared storage, database, token key)", async () => {
    const oci = join(work, "src");
    await makeImage(oci, "1", "pushed through harbor1 (2.15)");
    const push = await pushImage(lab, "harbor1", oci, "1", "hello");
    assert.equal(push.code, 0, `push: ${push.stdout}\n${push.stderr}`);
    const pull = await pullImage(lab, "harbor2", "hello", "1", join(work, "pulled"));
    assert.equal(pull.code, 0, `pull: ${pull.stdout}\n${pull.stderr}`);
    const manifest = "/v2/library/hello/manifests/1";
    const scope = "repository:library/hello:pull";
    assert.equal(await statusWithToken(lab, "harbor2", manifest, await fetchToken(lab, "harbor1", scope)), 200, "harbor2 takes harbor1's token");
    assert.equal(await statusWithToken(lab, "harbor1", manifest, "not-a-token"), 401);
  });

  it("the stand-ins report what prepare wrote: a harbor.yml change reaches them when prepare runs again", async () => {
    for (const node of NODES) assert.match(await ok(node, jobStats), /"concurrency":10\b/, `${node}: the template's max_job_workers`);
    // Harbor's jobservice asks no secret for /api/v1/stats alone (api/router.go: core's health check polls it bare).
    assert.equal(await ok("harbor1", "curl -s -o /dev/null -w '%{http_code}' http://jobservice:8080/api/v1/stats"), "200", "stats without a secret");
    assert.equal(await ok("harbor1", "curl -s -o /dev/null -w '%{http_code}' http://jobservice:8080/api/v1/jobs/x"), "401", "no secret, no jobs");
    const out = await harbor2Node("harbor2", ["--set", "jobservice.max_job_workers=3", "--install"]);
    assert.match(out, /Harbor has been installed and started successfully/);
    assert.match(await ok("harbor2", "cat /opt/harbor/common/config/jobservice/config.yml"), /workers: 3\b/, "prepare wrote the new value");
    await waitFor("harbor2", jobStats, /"concurrency":3\b/, "the jobservice's new worker count");
    assert.match(await ok("harbor1", jobStats), /"concurrency":10\b/, "harbor1 was not touched");
    await waitFor("harbor2", pingCore, /^200$/, "core after the reinstall");
    const pull = await pullImage(lab, "harbor2", "hello", "1", join(work, "pulled-again"));
    assert.equal(pull.code, 0, `pull after the reinstall: ${pull.stderr}`);
  });

  it("a dirty schema stops core with golang-migrate's message", async () => {
    await ok("db", "runuser -u postgres -- psql -d registry -qc 'update schema_migrations set dirty = true'");
    try {
      await ok("harbor1", "cd /opt/harbor && docker compose restart core");
      const log = await waitFor(
        "harbor1",
        "cat /var/lib/lab-compose/harbor/core.out",
        /Dirty database version 180\. Fix and force version\./,
        "core's fatal message",
      );
      assert.match(log, /\[FATAL\] \[main\.go:\d+\]: failed to migrate the database, error: Dirty database version 180/);
    } finally {
      await ok("db", "runuser -u postgres -- psql -d registry -qc 'update schema_migrations set dirty = false'");
    }
    await waitFor("harbor1", pingCore, /^200$/, "core once the schema is clean again");
  });
});

/**
 * harbor-ha upgrade, end to end: a Harbor 2.13.4 cluster (https, 2 load balancers with HAProxy
 * behind the VIP, 2 nodes; the lab's core runs Harbor's own schema scripts with golang-migrate's
 * rules and honours Harbor's read-only mode) with a pushed image:
 * - provision refuses the release change and points to upgrade; `upgrade --dry-run` lists the
 *   schema migrations from 2.15.2's own files and changes nothing;
 * - an upgrade to 2.15.1 whose core meets a failing schema script (the lab's
 *   migrations-failing) rolls back: the backup restored (schema 160, clean), harbor1 back on
 *   2.13.4, read-only off, the image pulls, status healthy, provision has nothing to do;
 * - the upgrade to 2.15.2 under a pull loop through the VIP: no pull fails; afterwards
 *   schema_migrations is 180 and clean, every node records 2.15.2, the image pulls, the
 *   cluster's secrets are the ones it had, and provision says no change.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { harborConfigurations, makeImage, pullImage, pullLoop, pushImage } from "./helpers/registry.js";

const NODES = ["harbor1", "harbor2"];
const SECRET_FILES = ["/data/secret/keys/secretkey", "/data/secret/core/private_key.pem", "/var/lib/harbor-ha/harbor2-pinned-secrets.env"];

describe("harbor-ha upgrade: Harbor 2.13.4 → 2.15.2 on VMs (https, HAProxy, 2 load balancers, 2 nodes)", { timeout: 900_000 }, () => {
  let lab: Lab;
  let work: string;
  let backups: string;
  before(async () => {
    lab = await labUp({
      lbs: 2,
      nodes: 2,
      protocol: "https",
      harborVersion: "2.13",
      loadBalancing: "haproxy",
      extraMigrations: { "2.15.1": join(process.cwd(), "lab", "harbor2", "migrations-failing") },
    });
    work = mkdtempSync(join(tmpdir(), "hha-upgrade-"));
    backups = join(work, "backups");
    mkdirSync(backups, { mode: 0o700 });
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await labDown();
  });

  /** The lab's inventory moved to another release, with the backup folder. */
  const inventoryFor = (release: string): string => {
    const path = join(lab.dir, `inventory-${release}.yaml`);
    const text = readFileSync(lab.inventoryPath, "utf8")
      .replace(/harbor_version: 2\.13\.4/, `harbor_version: ${release}`)
      .replace(/harbor-offline-installer-v2\.13\.4-noimages\.tgz/, `harbor-offline-installer-v${release}-noimages.tgz`);
    writeFileSync(path, `${text}\nupgrade:\n  backup_dir: ${backups}\n`);
    return path;
  };
  const psql = async (sql: string) => {
    const r = await lab.sshRun("db", `runuser -u postgres -- psql -X -q -At -d registry -v ON_ERROR_STOP=1 -c ${JSON.stringify(sql)}`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const releases = async () => Promise.all(NODES.map(async (n) => (await lab.sshRun(n, "cat /var/lib/harbor-ha/harbor-release")).stdout.trim()));
  const secretSums = async () => Promise.all(NODES.map(async (n) => (await lab.sshRun(n, `sha256sum ${SECRET_FILES.join(" ")}`)).stdout.trim()));
  let secretsBefore: string[];
  /** Harbor's read_only setting as GET /api/v2.0/configurations answers it through `node`. */
  const readOnly = async (node: string) => (await harborConfigurations(lab, node))["read_only"]?.value;

  it("a 2.13.4 cluster with an image; provision refuses the new release and points to upgrade; the dry run lists the migrations", async () => {
    const p = await runCli(["provision", lab.inventoryPath], { timeoutMs: 600_000 });
    assert.equal(p.code, 0, `provision: ${p.stdout}\n${p.stderr}`);
    const image = join(work, "image");
    await makeImage(image, "1", "harbor-ha upgrade");
    const push = await pushImage(lab, "harbor1", image, "1", "hello");
    assert.equal(push.code, 0, `push: ${push.stderr}`);
    secretsBefore = await secretSums();
    assert.equal(await psql("SELECT version || ' ' || dirty FROM schema_migrations"), "160 false");

    const inv = inventoryFor("2.15.2");
    const refused = await runCli(["provision", inv]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /runs Harbor 2\.13\.4; the inventory asks for 2\.15\.2: provision and reconfigure do not change a release/);
    assert.match(refused.stderr, /Run `harbor-ha upgrade`/);

    const dry = await runCli(["upgrade", inv, "--dry-run"]);
    assert.equal(dry.code, 3, `dry run: ${dry.stdout}\n${dry.stderr}`);
    assert.match(dry.stdout, /Upgrade 2\.13\.4 → 2\.15\.2 \(minor\), strategy rolling, --serial 1/);
    assert.match(
      dry.stdout,
      /schema_migrations 160 → 180\n {2}170 {2}0170_2\.14\.0_schema\.up\.sql\n {2}171 {2}0171_2\.14\.1_schema\.up\.sql\n {2}180 {2}0180_2\.15\.0_schema\.up\.sql\n/,
    );
    assert.match(dry.stdout, /read-only: Harbor's read-only mode ON[^\n]*\n\s+5\. first-node: harbor1 first/);
    assert.equal(await psql("SELECT version || ' ' || dirty FROM schema_migrations"), "160 false", "the dry run changed nothing");
    assert.deepEqual(await releases(), ["2.13.4", "2.13.4"]);
  });

  it("a schema script that fails on the first node: the backup is restored, harbor1 back on 2.13.4, read-only off, exit 1", async () => {
    const r = await runCli(["upgrade", inventoryFor("2.15.1"), "--health-timeout-s", "20"], { timeoutMs: 600_000 });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      /upgrade to Harbor 2\.15\.1 failed on the first node harbor1 and was rolled back: the database restored from \S+\.pgdump, harbor1 back on 2\.13\.4, read-only off/,
    );
    assert.equal(await psql("SELECT version || ' ' || dirty FROM schema_migrations"), "160 false");
    assert.deepEqual(await releases(), ["2.13.4", "2.13.4"]);
    assert.equal(await readOnly("harbor2"), false);
    const pull = await pullImage(lab, "vip", "hello", "1", join(work, "pulled-after-rollback"));
    assert.equal(pull.code, 0, `pull after the rollback: ${pull.stderr}`);
    // The dump is pg_dump's custom format, its checksum as sha256sum -c reads it.
    const dump = /restored from (\S+\.pgdump)/.exec(r.stderr)?.[1] ?? "";
    assert.match(dump, /\/lab-2\.13\.4-\d{8}T\d{6}Z\.pgdump$/);
    execFileSync("sha256sum", ["-c", `${dump}.sha256`], { cwd: backups });
    assert.match(execFileSync("pg_restore", ["--list", dump], { encoding: "utf8" }), /TABLE public schema_migrations/);
    const again = await runCli(["provision", lab.inventoryPath, "--dry-run"]);
    assert.equal(again.code, 0, `provision after the rollback: ${again.stdout}\n${again.stderr}`);
  });

  it("2.13.4 → 2.15.2 under a pull loop through the VIP, interrupted once and continued: no pull fails; schema 180 clean, 2.15.2 everywhere, secrets kept, provision has nothing to do", async () => {
    const inv = inventoryFor("2.15.2");
    const loop = pullLoop(lab, work);
    // Ctrl-C once the first node is done: the run stops after the node under way; status says so; the same command continues.
    const stopped = await runCli(["upgrade", inv], { timeoutMs: 600_000, interruptOn: /== roll: then harbor2/ });
    assert.equal(stopped.code, 130, `interrupted upgrade: ${stopped.stdout}\n${stopped.stderr}`);
    const during = await runCli(["status", inv]);
    assert.match(during.stdout, /upgrade in progress: upgrade from Harbor 2\.13\.4 to 2\.15\.2: read-only on \(recorded on harbor1\)/);
    const r = await runCli(["upgrade", inv, "--json"], { timeoutMs: 600_000 });
    const { made, failures } = await loop.stop();
    assert.equal(r.code, 0, `upgrade: ${r.stdout}\n${r.stderr}`);
    // The one --json shape (docs/report.schema.json): upgrade's own data is under details.
    const report = (
      JSON.parse(r.stdout) as {
        details: { readOnlySeconds: number; totalSeconds: number; backup: unknown; plan: { backup: { file: string } } };
      }
    ).details;
    assert.ok(report.readOnlySeconds > 0 && report.totalSeconds >= report.readOnlySeconds, JSON.stringify(report));
    // The interrupted run's backup is the continued run's: not taken again, kept and checksummed.
    assert.equal(report.backup, null);
    execFileSync("sha256sum", ["-c", `${report.plan.backup.file}.sha256`], { cwd: backups });
    assert.ok(made >= 3, `only ${made} pulls were made during the upgrade`);
    assert.deepEqual(failures, [], `${failures.length} of ${made} pulls through the VIP failed`);
    assert.equal(await psql("SELECT version || ' ' || dirty FROM schema_migrations"), "180 false");
    assert.deepEqual(await releases(), ["2.15.2", "2.15.2"]);
    assert.deepEqual(await secretSums(), secretsBefore, "every node keeps the cluster's secrets");
    assert.equal(await readOnly("harbor1"), false);
    const pull = await pullImage(lab, "vip", "hello", "1", join(work, "pulled-after"));
    assert.equal(pull.code, 0, `pull after the upgrade: ${pull.stderr}`);
    const p = await runCli(["provision", inv]);
    assert.equal(p.code, 0, `${p.stdout}\n${p.stderr}`);
    assert.match(p.stdout, /No change: nothing was written and nothing restarted/);
    const status = await runCli(["status", inv]);
    assert.equal(status.code, 0, `status after the upgrade: ${status.stdout}\n${status.stderr}`);
    assert.doesNotMatch(status.stdout, /upgrade in progress/);
  });
});

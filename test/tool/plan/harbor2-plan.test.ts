/**
 * The plan for a Harbor 2.x cluster on VMs (test/fixtures/inventories/v2/vms.yaml): what a fresh
 * node gets, what a node already installed from the same configuration gets (nothing), and the
 * refusal of a release change node by node. Pure: rendered desired state against hand-built facts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HARBOR2_RELEASE_STAMP_PATH } from "../../../src/harbor/v2/data/layout.js";
import { emptyFacts } from "../../../src/facts/parse.js";
import { envLinesSha256, sha256Hex } from "../../../src/facts/queries.js";
import { fstabLine } from "../../../src/steps/commands.js";
import { bundleRemotePath, INSTALL_STAMP_PATH, installDigest } from "../../../src/plan/harbor-node.js";
import { generationOf } from "../../../src/harbor/generations.js";
import type { HostFacts } from "../../../src/facts/types.js";
import type { Harbor2VmInventory } from "../../../src/inventory/model.js";
import { Redactor } from "../../../src/inventory/secret.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredHost, DesiredState } from "../../../src/desired/types.js";
import { renderShell } from "../../../src/shell/command.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";
import { parseV2VmsFixture, readFixtureState } from "../../support/inventories.js";
import { ownerFact } from "../../support/example.js";

const BUNDLE = { localPath: "/srv/harbor-offline-installer-v2.15.1.tgz", sha256: "b".repeat(64) };

describe("the plan for Harbor 2.x on VMs", () => {
  let world: TestWorld;
  let inv: Harbor2VmInventory;
  let desired: DesiredState;
  before(async () => {
    world = createTestWorld();
    inv = parseV2VmsFixture(world);
    desired = renderDesiredState(inv, await readFixtureState());
  });
  after(() => world.remove());

  /** A host whose network, disk and programs are fine, and nothing of ours yet. */
  const bare = (d: DesiredHost): HostFacts => {
    const f = emptyFacts();
    const lb = inv.data.load_balancers.find((l) => l.name === d.host.name);
    if (lb) f.interfaces[lb.interface] = true;
    f.tcp[`${inv.data.database.host}:${inv.data.database.port}`] = true;
    f.tcp[`${inv.data.redis.host}:${inv.data.redis.port}`] = true;
    f.diskFreeKb[inv.data.installer.install_dir] = 50 * 1024 * 1024;
    f.versions = { docker: { found: true, exitCode: 0, output: "Docker version 24.0.7, build afdd53b\n" } };
    return f;
  };
  const plan = (facts: (d: DesiredHost) => HostFacts) =>
    planCluster(desired, new Map(desired.hosts.map((d) => [d.host.name, facts(d)])), {
      inv,
      redactor: new Redactor(),
      bundle: BUNDLE,
      sharedStorageMarker: "marker",
    });

  it("has no registry.sql step: its database step is an empty PostgreSQL database, which Harbor 2.x's core migrates itself", () => {
    assert.equal(desired.database.engine, "postgresql");
    assert.ok(!("registrySql" in desired.database));
  });

  it("a fresh node: harbor.yml, the seeded and pinned secrets, install.sh --with-trivy with the pinning, the start-up wait on /api/v2.0/ping, both stamps", () => {
    const p = plan(bare);
    assert.deepEqual(p.problems, []);
    const node = p.hosts.find((h) => h.host.name === "harbor1");
    assert.ok(node);
    const titles = node.steps.map((s) => s.title);
    for (const path of [
      "/opt/harbor/harbor.yml",
      "/data/secret/keys/secretkey",
      "/data/secret/core/private_key.pem",
      "/data/secret/registry/root.crt",
      "/var/lib/harbor-ha/harbor2-pinned-secrets.env",
    ])
      assert.ok(
        titles.some((t) => t.startsWith(`write ${path} `)),
        `${path} is written: ${titles.join("; ")}`,
      );
    assert.ok(!titles.some((t) => /harbor\.cfg|settings/.test(t)), "nothing of Harbor 1.x's");
    const install = node.steps.find((s) => s.role === "install-run");
    assert.ok(install?.action.type === "run");
    const script = renderShell(install.action.command, { reveal: true });
    assert.match(script, /\.\/install\.sh "\$@" <\/dev\/null/);
    assert.match(
      script,
      /pin core\/env CORE_SECRET JOBSERVICE_SECRET CSRF_KEY\npin jobservice\/env CORE_SECRET JOBSERVICE_SECRET\npin registryctl\/env CORE_SECRET JOBSERVICE_SECRET\n/,
    );
    assert.match(script, /compose up -d' bash \/opt\/harbor \/var\/lib\/harbor-ha\/harbor2-pinned-secrets\.env --with-trivy$/);
    assert.ok(!script.includes("FixtureCoreSecr1"), "no secret on the command line");
    const wait = node.steps.find((s) => s.role === "startup-wait");
    assert.ok(wait?.action.type === "wait");
    assert.match(wait.action.probe.toString(), / \/api\/v2\.0\/ping \d+ /);
    assert.deepEqual(
      node.steps.filter((s) => s.role === "install-stamp").map((s) => (s.action.type === "upload" ? s.action.file.path : "")),
      ["/var/lib/harbor-ha/harbor-install.stamp", HARBOR2_RELEASE_STAMP_PATH],
    );
  });

  /** A node a previous run installed from this very configuration; `env` overrides what prepare's env files hold. */
  const installed = (d: DesiredHost, env: Record<string, string> = {}): HostFacts => {
    const f = bare(d);
    if (d.host.role !== "harbor-node") return f;
    for (const p of d.packages) f.packages[p] = true;
    for (const dir of d.directories) f.dirs[dir.path] = { present: true, mode: dir.mode, ...ownerFact(dir.owner, dir.group) };
    for (const file of d.files)
      f.files[file.path] = { present: true, mode: file.mode, ...ownerFact(file.owner, file.group), sha256: sha256Hex(file.content) };
    for (const t of d.requiredMounts) f.mounts[t] = { source: "/dev/sdb1", fstype: "ext4", options: "rw" };
    for (const m of d.mounts) {
      f.mounts[m.target] = { source: m.source, fstype: "nfs4", options: m.options };
      f.fstab[m.target] = fstabLine(m);
    }
    f.files[bundleRemotePath(inv)] = { present: true, mode: 0o600, ...ownerFact("root", "root"), sha256: BUNDLE.sha256 };
    f.files["/opt/harbor/install.sh"] = { present: true, mode: 0o755, ...ownerFact("root", "root"), sha256: "x" };
    f.vipChain = { hooked: true, rules: ["-A HARBOR_HA_VIP -j REDIRECT"] };
    f.stamps[INSTALL_STAMP_PATH] = installDigest(d, BUNDLE, true);
    f.stamps[HARBOR2_RELEASE_STAMP_PATH] = "2.15.1";
    f.http[generationOf(inv).localHealthUrl] = 200;
    const pinned = (key: string) =>
      env[key] ??
      `${key}=${
        /^[A-Z_]+=(.*)$/m.exec(
          fileContent(d, "/var/lib/harbor-ha/harbor2-pinned-secrets.env")
            .split("\n")
            .find((l) => l.startsWith(`${key}=`)) ?? "",
        )?.[1] ?? ""
      }`;
    f.envLines["/opt/harbor/common/config/core/env"] = envLinesSha256(["CORE_SECRET", "JOBSERVICE_SECRET", "CSRF_KEY"].map(pinned));
    for (const file of ["jobservice", "registryctl"])
      f.envLines[`/opt/harbor/common/config/${file}/env`] = envLinesSha256(["CORE_SECRET", "JOBSERVICE_SECRET"].map(pinned));
    return f;
  };
  const fileContent = (d: DesiredHost, path: string) => d.files.find((f) => f.path === path)?.content ?? "";

  it("a node installed from this configuration, running with the cluster's secrets: nothing to do", () => {
    const p = plan(installed);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(
      p.hosts.find((h) => h.host.name === "harbor1")?.steps.map((s) => s.title),
      [],
    );
  });

  it("a node whose prepare made other secrets (install.sh run by hand): the install step runs again, saying why", () => {
    const p = plan((d) => installed(d, d.host.name === "harbor2" ? { CSRF_KEY: "CSRF_KEY=madeByPrepareByHand000000000000" } : {}));
    // harbor1 only writes the shared-storage marker harbor2 reads before its install.
    assert.deepEqual(
      p.hosts.find((h) => h.host.name === "harbor1")?.steps.map((s) => s.role),
      ["storage-check"],
    );
    const install = p.hosts.find((h) => h.host.name === "harbor2")?.steps.find((s) => s.role === "install-run");
    assert.match(
      install?.reason ?? "",
      /^Harbor runs with other files than harbor-ha expects \(\/opt\/harbor\/common\/config\/core\/env\): the install step writes them again, with the cluster's secrets$/,
    );
  });

  it("a node installed from another Harbor 2.x release: refused before anything changes, pointing to harbor-ha upgrade", () => {
    const p = plan((d) => {
      const f = bare(d);
      if (d.host.role === "harbor-node") f.stamps[HARBOR2_RELEASE_STAMP_PATH] = "2.15.0";
      return f;
    });
    const mine = p.problems.filter((x) => x.host === "harbor1");
    assert.equal(mine.length, 1, JSON.stringify(p.problems));
    assert.match(mine[0]?.message ?? "", /runs Harbor 2\.15\.0; the inventory asks for 2\.15\.1: provision and reconfigure do not change a release/);
    assert.match(mine[0]?.hint ?? "", /migrates the shared database schema.*Run `harbor-ha upgrade`/);
    assert.equal(mine[0]?.code, "release-change");
    // A newer release on the nodes than the inventory's: a downgrade, refused as one.
    const newer = plan((d) => {
      const f = bare(d);
      if (d.host.role === "harbor-node") f.stamps[HARBOR2_RELEASE_STAMP_PATH] = "2.15.2";
      return f;
    });
    assert.match(
      newer.problems.find((x) => x.host === "harbor1")?.message ?? "",
      /runs Harbor 2\.15\.2, newer than the inventory's 2\.15\.1: a downgrade is refused/,
    );
    // The same release: no problem.
    const same = plan((d) => {
      const f = bare(d);
      if (d.host.role === "harbor-node") f.stamps[HARBOR2_RELEASE_STAMP_PATH] = "2.15.1";
      return f;
    });
    assert.deepEqual(same.problems, []);
  });
});

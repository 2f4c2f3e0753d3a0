/**
 * prepare's shared-storage question: the check steps in the plan (who writes, who reads, in
 * which phase), the answer given to install.sh only with them, and the two commands run for
 * real on a local folder (root: they write as uid 10000).
 */
import assert from "node:assert/strict";
import { vipParts } from "../../../src/inventory/model.js";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { requireRoot } from "../../support/root.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { SHARED_CHECK_FILE, sharedStorageMarkCommand, sharedStorageReadCommand } from "../../../src/steps/commands.js";
import { planCluster } from "../../../src/plan/plan-cluster.js";
import { INSTALL_STAMP_PATH } from "../../../src/plan/harbor-node.js";
import { generationOf } from "../../../src/harbor/generations.js";
import type { Plan, Step } from "../../../src/steps/types.js";
import { renderShell } from "../../../src/shell/command.js";
import type { Command } from "../../../src/shell/command.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { buildTestInventory, inventoryData, readFixtureState } from "../../support/inventories.js";
import { ctx, desired, factsOfAll, inv, MARKER, matchingFacts } from "../../support/example.js";

/** Every node as provisioned, but harbor2 must install again (its stamp is off). */
function oneInstall(extra?: (facts: Map<string, HostFacts>) => void): Plan {
  const facts = factsOfAll(matchingFacts);
  const h2 = facts.get("harbor2") as HostFacts;
  h2.stamps[INSTALL_STAMP_PATH] = "0".repeat(64);
  extra?.(facts);
  return planCluster(desired, facts, ctx);
}

const checks = (plan: Plan) => plan.hosts.flatMap((h) => h.steps.filter((s) => s.kind === "check").map((s) => [h.host.name, s.phase, s.title]));
const install = (plan: Plan, host: string): Step | undefined =>
  plan.hosts.find((h) => h.host.name === host)?.steps.find((s) => s.title.startsWith("run install.sh"));

test("any install with filesystem storage: the first node writes the marker, every other node reads it, before the harbor phase", () => {
  const plan = oneInstall();
  assert.deepEqual(checks(plan), [
    ["harbor1", "storage", "write a fresh check marker into /data/registry/.harbor-ha-shared-check as uid 10000"],
    ["harbor2", "storage-check", "read the check marker harbor1 wrote into /data/registry, and write there as uid 10000"],
    ["harbor3", "storage-check", "read the check marker harbor1 wrote into /data/registry, and write there as uid 10000"],
  ]);
  const run = install(plan, "harbor2")?.action;
  assert.ok(run?.type === "run");
  assert.equal(run.stdin, "yes\n", "prepare's question is answered on stdin");
  assert.match(install(plan, "harbor2")?.title ?? "", /answering prepare's shared-storage question: yes, checked above/);
  const h2 = plan.hosts.find((h) => h.host.name === "harbor2")?.steps.map((s) => s.phase) ?? [];
  assert.ok(h2.indexOf("storage-check") < h2.indexOf("harbor"), "the read comes before the harbor phase on the node");
  const reader = plan.hosts.find((h) => h.host.name === "harbor3")?.steps[0]?.action;
  assert.ok(reader?.type === "run");
  assert.match(reader.hint ?? "", /Mount the same NFS export at \/data\/registry on every Harbor node/i);
  assert.ok(reader.command.toString().endsWith(` sh /data/registry '${MARKER}' ${SHARED_CHECK_FILE} harbor1 harbor3`));
});

test("the writer is the first node whose storage needs no change", () => {
  const plan = oneInstall((facts) => void ((facts.get("harbor1") as HostFacts).mounts["/data/job_logs"] = null));
  assert.deepEqual(
    checks(plan).map(([h, phase]) => [h, phase]),
    [
      ["harbor1", "storage-check"],
      ["harbor2", "storage"],
      ["harbor3", "storage-check"],
    ],
  );
  const h1 = plan.hosts.find((h) => h.host.name === "harbor1")?.steps ?? [];
  assert.deepEqual(
    h1.map((s) => s.phase),
    ["storage", "storage-check"],
    "harbor1 mounts first, then reads",
  );
});

test("no install anywhere: no check", () => {
  assert.deepEqual(checks(planCluster(desired, factsOfAll(matchingFacts), ctx)), []);
});

test("an object store: prepare asks nothing, so nothing is checked and nothing answered", async () => {
  const store = buildTestInventory(inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast", storage: "object_store" }));
  assert.equal(generationOf(store).sharedRegistryPath, undefined);
  const render = renderDesiredState(store, await readFixtureState());
  const facts = new Map(render.hosts.map((h) => [h.host.name, matchingFacts(h)] as const));
  for (const h of render.hosts) if (h.host.role === "harbor-node") (facts.get(h.host.name) as HostFacts).stamps[INSTALL_STAMP_PATH] = null;
  // This inventory's own VIP, held by lb1 (matchingFacts holds the example's).
  (facts.get("lb1") as HostFacts).vips[vipParts(store).address] = true;
  const plan = planCluster(render, facts, { ...ctx, inv: store });
  assert.deepEqual(checks(plan), []);
  const run = install(plan, "harbor1")?.action;
  assert.ok(run?.type === "run" && run.stdin === undefined);
  assert.equal(generationOf(inv).sharedRegistryPath, "/data/registry");
});

let dir = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "hha-shared-"));
  chmodSync(dir, 0o755); // uid 10000 must reach the folders inside
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(c: Command): { status: number | null; stderr: string } {
  const r = spawnSync("sh", ["-c", renderShell(c, { reveal: true })], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

function folder(name: string, owner: number): string {
  const d = join(dir, name);
  mkdirSync(d, { mode: 0o755 });
  chownSync(d, owner, owner);
  return d;
}

test("the commands for real: the marker written as uid 10000 is read on the same filesystem", () => {
  requireRoot("writes as uid 10000");
  const shared = folder("shared", 10000);
  const mark = run(sharedStorageMarkCommand(shared, "marker one"));
  assert.equal(mark.status, 0, mark.stderr);
  assert.equal(readFileSync(join(shared, SHARED_CHECK_FILE), "utf8"), "marker one\n");
  assert.equal(spawnSync("stat", ["-c", "%u", join(shared, SHARED_CHECK_FILE)], { encoding: "utf8" }).stdout.trim(), "10000");
  const read = run(sharedStorageReadCommand(shared, "marker one", "harbor1", "harbor2"));
  assert.equal(read.status, 0, read.stderr);
  assert.equal(run(sharedStorageMarkCommand(shared, "marker two")).status, 0, "the next run replaces the marker");
  assert.equal(run(sharedStorageReadCommand(shared, "marker one", "harbor1", "harbor2")).status, 1, "an old marker is not this run's");
});

test("the commands for real: another filesystem, and a folder uid 10000 cannot write to, are refused with what was found", () => {
  requireRoot("writes as uid 10000");
  const local = folder("local", 10000);
  const missing = run(sharedStorageReadCommand(local, "marker one", "harbor1", "harbor2"));
  assert.equal(missing.status, 1);
  assert.match(
    missing.stderr,
    /^harbor2 does not see the check marker harbor1 just wrote into .*\/local\nmounted at .*\/local on harbor2: nothing at exactly this path\n$/,
  );
  const rootOnly = folder("root-only", 0);
  const denied = run(sharedStorageMarkCommand(rootOnly, "m"));
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /uid 10000 \(Harbor's registry\) cannot write to .*\/root-only\n$/);
  assert.match(run(sharedStorageMarkCommand(join(dir, "absent"), "m")).stderr, /absent does not exist/);
});

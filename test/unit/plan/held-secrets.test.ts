/**
 * A plan never replaces by accident a secret a running cluster depends on: the preflight check
 * alone (pure), then provision and reconfigure run whole over the fake cluster — a running
 * cluster whose secretkey is not the state folder's, or a state folder from another cluster, is
 * refused with exit 2 before anything is written; a fresh cluster is provisioned as before.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { heldSecretProblems, EXIT_HELD_SECRET } from "../../../src/plan/held-secrets.js";
import { provision, ProvisionFailed } from "../../../src/provision/provision.js";
import { reconfigure } from "../../../src/roll/reconfigure.js";
import { HarborHaError } from "../../../src/errors.js";
import { INSTALL_STAMP_PATH } from "../../../src/desired/paths.js";
import { SECRETKEY_PATH } from "../../../src/harbor/v1/data/layout.js";
import { LIVE_TOKEN_KEY } from "../../../src/harbor/v1/data/layout.js";
import { harborDir } from "../../../src/harbor/v1/paths.js";
import { generationOf } from "../../../src/harbor/generations.js";
import type { HostFacts } from "../../../src/facts/types.js";
import type { DesiredHost } from "../../../src/desired/types.js";
import { bareFacts, desired, factsOfAll, inv, matchingFacts } from "../../support/example.js";
import { fakeCluster, fakeEdges, fakeRollOptions } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

const OTHER_SHA = "ab".repeat(32);

/** A node that holds another cluster's copy of `path` (by checksum). */
function holdingOther(path: string, f: HostFacts): HostFacts {
  const fact = f.files[path];
  f.files[path] = { ...(fact ?? { mode: 0o600 }), present: true, sha256: OTHER_SHA };
  return f;
}

test("a running cluster whose nodes hold the state folder's secrets: no problem", () => {
  assert.deepEqual(heldSecretProblems(inv, desired.hosts, factsOfAll(matchingFacts)), []);
});

test("running nodes with another secretkey than the state folder's: refused with exit 2, naming the file, how to give the state folder the cluster's own, and that Harbor cannot change its secretkey", () => {
  const facts = factsOfAll((d) => holdingOther(SECRETKEY_PATH, matchingFacts(d)));
  const problems = heldSecretProblems(inv, desired.hosts, facts);
  assert.deepEqual(
    problems.map((p) => p.host),
    ["harbor1", "harbor2", "harbor3"],
  );
  const [, p] = problems;
  assert.equal(p?.host, "harbor2");
  assert.equal(p?.exitCode, EXIT_HELD_SECRET);
  assert.match(p?.message ?? "", /another secretkey .*\/data\/secretkey/);
  assert.match(
    p?.hint ?? "",
    /run `harbor-ha adopt` on this inventory: it reads the cluster.s own secrets from the nodes \(read-only\) into the state folder beside the inventory \(\.harbor-ha\/[^/]+\/\)/,
  );
  assert.match(p?.hint ?? "", /does not support changing its secretkey/);
});

test("one node holding another secretkey while the others hold the state folder's: drift provision repairs, not refused (the folder is this cluster's)", () => {
  const facts = factsOfAll((d) => (d.host.name === "harbor2" ? holdingOther(SECRETKEY_PATH, matchingFacts(d)) : matchingFacts(d)));
  assert.deepEqual(heldSecretProblems(inv, desired.hosts, facts), []);
});

test("a node where Harbor is installed but down (no stamp, no answer: prepare's files are there) is still protected", () => {
  const down = (d: DesiredHost): HostFacts => {
    const f = holdingOther(SECRETKEY_PATH, matchingFacts(d));
    if (d.host.role !== "harbor-node") return f;
    delete f.http[generationOf(inv).localHealthUrl];
    f.stamps[INSTALL_STAMP_PATH] = null;
    return f;
  };
  assert.deepEqual(
    heldSecretProblems(inv, desired.hosts, factsOfAll(down)).map((p) => p.host),
    ["harbor1", "harbor2", "harbor3"],
  );
  // Without prepare's files either, Harbor was never installed: the old secretkey is nobody's.
  const never = (d: DesiredHost): HostFacts => {
    const f = down(d);
    for (const path of Object.keys(f.files)) if (path.startsWith(`${harborDir(inv)}/common/`)) f.files[path] = { present: false };
    return f;
  };
  assert.deepEqual(heldSecretProblems(inv, desired.hosts, factsOfAll(never)), []);
});

test("only the token key pair differs: refused too, the hint speaks of a deliberate rotation, not of the secretkey", () => {
  const facts = factsOfAll((d) => holdingOther(`${harborDir(inv)}/${LIVE_TOKEN_KEY}`, matchingFacts(d)));
  const problems = heldSecretProblems(inv, desired.hosts, facts);
  assert.equal(problems.length, 3);
  assert.match(problems[0]?.message ?? "", /another token signing key/);
  assert.match(problems[0]?.hint ?? "", /rotate the token key pair on purpose/);
  assert.doesNotMatch(problems[0]?.hint ?? "", /changing its secretkey/);
});

test("fresh hosts (nothing installed): no problem", () => {
  assert.deepEqual(heldSecretProblems(inv, desired.hosts, factsOfAll(bareFacts)), []);
});

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

/** Every file under a folder but the caches (a real run records the bundle's checksum), with its content hash and mtime. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith("-cache.json"))
    .map((e) => {
      const p = join(e.parentPath, e.name);
      return `${relative(dir, p)} ${createHash("sha256").update(readFileSync(p)).digest("hex")} ${statSync(p).mtimeMs}`;
    })
    .sort();
}

/** The preflight's reads: the facts and the look at the load balancers taken beside them. */
const isRead = (c: { kind: string; step: string }) => c.kind === "facts" || /^(who holds the VIP|check\.sh is executable)/.test(c.step);

const provisionOptions = (c: FakeCluster, dryRun = false) => ({ ...fakeEdges(c), dryRun, reinitializeDatabase: false, isInterrupted: () => false });

test("provision of a running cluster whose secretkey is not the state folder's: exit 2, only the facts read, nothing written anywhere", async () => {
  cluster = fakeCluster((d) => (d.host.role === "harbor-node" ? holdingOther(SECRETKEY_PATH, matchingFacts(d)) : matchingFacts(d)));
  const state = join(cluster.inv.dir, ".harbor-ha");
  const before = snapshot(state);
  for (const dryRun of [true, false]) {
    await assert.rejects(provision(cluster.inv, provisionOptions(cluster, dryRun)), (e: unknown) => {
      assert.ok(e instanceof ProvisionFailed, String(e));
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /harbor1: Harbor on this node depends on another secretkey/);
      assert.match(e.message, /run `harbor-ha adopt` on this inventory/);
      return true;
    });
  }
  assert.deepEqual(
    cluster.net.calls.filter((c) => !isRead(c)).map((c) => `${c.host}: ${c.step}`),
    [],
    "nothing but reads was run",
  );
  assert.deepEqual(snapshot(state), before, "the state folder changed");
});

test("a state folder from another cluster (its own secretkey) is refused before any change", async () => {
  cluster = fakeCluster();
  const c = cluster;
  writeFileSync(join(c.inv.dir, ".harbor-ha", c.inv.data.cluster.name, "secretkey"), "another-cluster!");
  await assert.rejects(provision(c.inv, provisionOptions(c)), (e: unknown) => e instanceof ProvisionFailed && e.exitCode === 2);
  await assert.rejects(reconfigure(c.inv, fakeRollOptions(c)), (e: unknown) => {
    assert.ok(e instanceof HarborHaError, String(e));
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /another secretkey/);
    return true;
  });
  assert.deepEqual(
    c.net.calls.filter((x) => !isRead(x)).map((x) => `${x.host}: ${x.step}`),
    [],
  );
});

test("a fresh cluster is still provisioned: the plan writes the cluster's secretkey on every node", async () => {
  // Prerequisites in place, but no Harbor ever installed on the nodes (its files absent, nothing answers).
  cluster = fakeCluster((d) => {
    const f = matchingFacts(d);
    if (d.host.role !== "harbor-node") return f;
    for (const path of Object.keys(f.files)) f.files[path] = { present: false };
    delete f.http[generationOf(inv).localHealthUrl];
    f.stamps[INSTALL_STAMP_PATH] = null;
    return f;
  });
  const r = await provision(cluster.inv, provisionOptions(cluster, true));
  for (const n of ["harbor1", "harbor2", "harbor3"])
    assert.ok(
      r.plan.hosts.find((h) => h.host.name === n)?.steps.some((s) => s.title.includes(SECRETKEY_PATH)),
      `${n}: the plan writes ${SECRETKEY_PATH}`,
    );
});

/**
 * provision's dry run on a cluster with no state folder yet, over the fake cluster: the run makes
 * the cluster's token key pair for real (openssl), so this is a tool test; the rest of provision's
 * orchestration is in test/unit/provision/provision-orchestration.test.ts.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { provision } from "../../../src/provision/provision.js";
import type { ProvisionOptions } from "../../../src/provision/provision.js";
import { inv as example, matchingFacts } from "../../support/example.js";
import { haCopyPaths } from "../../../src/harbor/v1/paths.js";
import { FIXTURE_STATE_DIR } from "../../support/inventories.js";
import { driftedFacts, fakeCluster, fakeEdges, harborNeverInstalled } from "../../support/fakes/cluster.js";
import type { FakeCluster } from "../../support/fakes/cluster.js";

const NODES = ["harbor1", "harbor2", "harbor3"];

let cluster: FakeCluster | undefined;
afterEach(() => cluster?.remove());

function options(c: FakeCluster, extra: Partial<ProvisionOptions> = {}): ProvisionOptions {
  return { ...fakeEdges(c), dryRun: false, reinitializeDatabase: false, isInterrupted: () => false, ...extra };
}

test("a dry run on a cluster without a state folder yet shows the plan and creates none", async () => {
  // Harbor never ran on the nodes (on a running cluster such a run is refused: plan/held-secrets.test.ts).
  cluster = fakeCluster((d) => harborNeverInstalled(driftedFacts(d)));
  const state = join(cluster.inv.dir, ".harbor-ha");
  rmSync(state, { recursive: true, force: true });
  const r = await provision(cluster.inv, options(cluster, { dryRun: true }));
  assert.equal(r.changed, true);
  assert.ok(
    r.plan.hosts.some((h) => h.steps.some((s) => s.title.includes("/data/secretkey"))),
    "the plan writes the shared secretkey",
  );
  assert.equal(existsSync(state), false, "the dry run created the state folder");
  assert.ok(
    cluster.warnings().some((w) => /the dry run shows freshly generated ones and keeps none/.test(w)),
    cluster.warnings().join("\n"),
  );
});

test("a first run (no token key pair yet, its facts asked while it is made): the nodes answer as for the new pair, a differing token certificate with its content for the diff", async () => {
  // The nodes hold the fixture's token certificate; the state folder is gone, so this run makes a new pair.
  const oldCert = readFileSync(join(FIXTURE_STATE_DIR, "token_root.crt"), "utf8");
  const certPath = haCopyPaths(example).tokenCert;
  cluster = fakeCluster((d) => {
    const f = harborNeverInstalled(matchingFacts(d));
    const cert = f.files[certPath];
    if (cert?.present) f.files[certPath] = { ...cert, content: oldCert };
    return f;
  });
  rmSync(join(cluster.inv.dir, ".harbor-ha"), { recursive: true, force: true });
  const asked = new Map<string, string>();
  for (const n of NODES)
    cluster.net.host(n).on(
      (c) => c.kind === "facts",
      (_call, stdin) => {
        asked.set(n, stdin?.toString("utf8") ?? "");
        return "default";
      },
    );
  const r = await provision(cluster.inv, options(cluster, { dryRun: true }));
  const oldFingerprint = new X509Certificate(oldCert).fingerprint256;
  for (const n of NODES) {
    const query = (asked.get(n) ?? "").split("\n").find((l) => l.startsWith(`file\t${certPath}\t`));
    assert.ok(query?.endsWith("\tshow"), `${n}: the certificate's query asks for its content when it differs`);
    const step = r.plan.hosts.find((h) => h.host.name === n)?.steps.find((s) => s.title.includes(certPath));
    assert.ok(
      step?.diff?.includes(`SHA-256    ${oldFingerprint} → `),
      `${n}: the diff shows the certificate the node holds, then the new one:\n${step?.diff ?? "(no step)"}`,
    );
  }
});

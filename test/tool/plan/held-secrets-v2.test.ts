/**
 * Harbor 2.x's secrets a running node depends on: the secretkey and token key pair where prepare
 * looks for them, and the core, job service and CSRF secrets — harbor-ha's pinned copy, or on a
 * cluster harbor-ha never installed, the lines prepare wrote into its env files.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { emptyFacts } from "../../../src/facts/parse.js";
import { envLinesSha256, sha256Hex } from "../../../src/facts/queries.js";
import type { HostFacts } from "../../../src/facts/types.js";
import { generationOf } from "../../../src/harbor/generations.js";
import { HARBOR2_SECRETKEY_PATH } from "../../../src/harbor/v2/data/layout.js";
import { HARBOR2_PINNED_SECRETS_PATH } from "../../../src/harbor/v2/node-files.js";
import type { Harbor2VmInventory } from "../../../src/inventory/model.js";
import { heldSecretProblems } from "../../../src/plan/held-secrets.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import type { DesiredHost, DesiredState } from "../../../src/desired/types.js";
import { parseV2VmsFixture, readFixtureState } from "../../support/inventories.js";
import { createTestWorld } from "../../support/test-world.js";
import type { TestWorld } from "../../support/test-world.js";

const CORE_ENV = "/opt/harbor/common/config/core/env";

describe("secrets a running Harbor 2.x node depends on", () => {
  let world: TestWorld;
  let inv: Harbor2VmInventory;
  let desired: DesiredState;
  before(async () => {
    world = createTestWorld();
    inv = parseV2VmsFixture(world);
    desired = renderDesiredState(inv, await readFixtureState());
  });
  after(() => world.remove());

  /** A node where Harbor answers, holding the render's secret files but `without` those paths, and core/env with `coreEnv`'s checksum. */
  const running = (d: DesiredHost, opts: { without?: string[]; otherSha?: string[]; coreEnv: string }): HostFacts => {
    const f = emptyFacts();
    if (d.host.role !== "harbor-node") return f;
    f.http[generationOf(inv).localHealthUrl] = 200;
    for (const file of d.files)
      if (!opts.without?.includes(file.path))
        f.files[file.path] = { present: true, sha256: opts.otherSha?.includes(file.path) ? "cd".repeat(32) : sha256Hex(file.content) };
    f.envLines[CORE_ENV] = opts.coreEnv;
    return f;
  };
  const problems = (facts: (d: DesiredHost) => HostFacts) =>
    heldSecretProblems(inv, desired.hosts, new Map(desired.hosts.map((d) => [d.host.name, facts(d)])));
  const otherEnv = envLinesSha256(["CORE_SECRET=builtByHand", "JOBSERVICE_SECRET=builtByHand", "CSRF_KEY=builtByHand"]);

  it("built by hand (no pinned copy): core/env's secrets that are not the state folder's are refused, naming the env file", () => {
    const p = problems((d) => running(d, { without: [HARBOR2_PINNED_SECRETS_PATH], coreEnv: otherEnv }));
    assert.equal(p.length, desired.hosts.filter((d) => d.host.role === "harbor-node").length);
    assert.match(p[0]?.message ?? "", new RegExp(`another core, job service and CSRF secrets .*\\(${CORE_ENV}, by checksum\\)`));
    assert.equal(p[0]?.exitCode, 2);
  });

  it("harbor-ha's own cluster (its pinned copy matches): env lines a hand-run prepare changed are the install step's to repair, not refused", () => {
    assert.deepEqual(
      problems((d) => running(d, { coreEnv: otherEnv })),
      [],
    );
  });

  it("adopted (no pinned copy, the state folder holds the first node's env secrets): the node that differs is drift provision repairs, not refused", () => {
    const nodes = desired.hosts.filter((d) => d.host.role === "harbor-node").map((d) => d.host.name);
    const pinned = desired.hosts.find((d) => d.host.role === "harbor-node")?.files.find((f) => f.path === HARBOR2_PINNED_SECRETS_PATH)?.content ?? "";
    const lines = pinned.split("\n").filter((l) => l.includes("="));
    const adoptedEnv = envLinesSha256(lines);
    assert.deepEqual(
      problems((d) => running(d, { without: [HARBOR2_PINNED_SECRETS_PATH], coreEnv: d.host.name === nodes[0] ? adoptedEnv : otherEnv })),
      [],
    );
  });

  it("another secretkey under /data/secret/keys: refused", () => {
    const p = problems((d) => running(d, { otherSha: [HARBOR2_SECRETKEY_PATH], coreEnv: otherEnv }));
    assert.match(p[0]?.message ?? "", /another secretkey than .*\/data\/secret\/keys\/secretkey/);
    assert.match(p[0]?.hint ?? "", /does not support changing its secretkey/);
  });
});

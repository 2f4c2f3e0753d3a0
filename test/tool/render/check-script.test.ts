/**
 * The rendered check.sh, run for real against a small stand-in for Harbor's API
 * (startHarborApiStandIn: one behaviour per loopback address), so the script runs
 * unchanged (real port, real scheme); the drain folder is a tmpfs in a private mount namespace.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { requireRoot } from "../../support/root.js";
import { renderDesiredState } from "../../../src/render/desired-state.js";
import { projectRoot } from "../../../src/paths.js";
import { createTestWorld } from "../../support/test-world.js";
import {
  buildTestInventory,
  createNetns,
  harbor2VmInventoryIn,
  inventoryData,
  readFixtureState,
  runInNetns,
  startHarborApiStandIn,
} from "../../support/inventories.js";

const CHECK_TIMEOUT_S = 2;
const HOSTNAME = "registry.test.example";

const RUN_CHECK = `
set -e
mount -t tmpfs tmpfs /var/lib
mkdir -p /var/lib/harbor-ha/drain
if [ -n "$3" ]; then touch "/var/lib/harbor-ha/drain/$3"; fi
if [ "$4" = only-curl ]; then
  # A PATH holding curl and nothing else (the tmpfs above is gone with the namespace).
  mkdir /var/lib/only-curl && ln -s "$(command -v curl)" /var/lib/only-curl/curl
  PATH=/var/lib/only-curl exec /bin/bash "$1" "$2"
fi
exec bash "$1" "$2"
`;

before(() => requireRoot("network namespaces"));
let ns: { name: string; remove: () => void } | undefined;
let server: ChildProcess | undefined;
let dir = "";
let checkPath = "";
/** The check.sh of a Harbor 2.x cluster (test/fixtures/inventories/v2/vms.yaml made http, against the same stand-in). */
let check2Path = "";

before(async () => {
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol: "http", vrrpMode: "unicast" });
  (raw.keepalived as Record<string, unknown>).check_timeout_s = CHECK_TIMEOUT_S;
  const desired = renderDesiredState(buildTestInventory(raw), await readFixtureState());
  const check = desired.hosts[0]?.files.find((f) => f.path === "/usr/local/bin/check.sh");
  assert.ok(check, "the load balancer has a check.sh");
  dir = mkdtempSync(join(tmpdir(), "hha-check-"));
  checkPath = join(dir, "check.sh");
  writeFileSync(checkPath, check.content, { mode: 0o755 });
  const world = createTestWorld();
  try {
    const text = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8")
      .replace(/^  hostname: .*$/m, `  hostname: ${HOSTNAME}`)
      .replace(/^  protocol: https$/m, "  protocol: http")
      .replace(/^tls:\n(  .*\n)+/m, "");
    const inventory = harbor2VmInventoryIn(world, text);
    const check2 = renderDesiredState(inventory, await readFixtureState()).hosts[0]?.files.find((f) => f.path === "/usr/local/bin/check.sh");
    assert.ok(check2);
    check2Path = join(dir, "check2.sh");
    writeFileSync(check2Path, check2.content, { mode: 0o755 });
  } finally {
    world.remove();
  }
  ns = createNetns();
  server = await startHarborApiStandIn(ns.name, HOSTNAME);
});

after(() => {
  server?.kill("SIGKILL");
  ns?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runCheck(node: string, drained = "", script = checkPath, path: "only-curl" | "" = "") {
  const started = Date.now();
  const r = runInNetns(ns?.name ?? "", RUN_CHECK, [script, node, drained, path]);
  return { status: r.status, stderr: r.stderr, elapsedMs: Date.now() - started };
}

test("a healthy node passes: exit 0, nothing on stderr", () => {
  const r = runCheck("127.0.0.1");
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
});

test("a node reporting another registry_url fails with one line saying so", () => {
  const r = runCheck("127.0.0.2");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^check\.sh: 127\.0\.0\.2: \/api\/systeminfo reports registry_url 'other\.example', expected 'registry\.test\.example'\n$/);
});

test("a node whose /api/repositories/top answers 500 fails", () => {
  const r = runCheck("127.0.0.3");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^check\.sh: 127\.0\.0\.3: GET \/api\/repositories\/top answered HTTP 500, not 200\n$/);
});

test("check.sh starts no program but curl (keepalived runs it for every node every few seconds)", () => {
  for (const [node, script] of [
    ["127.0.0.1", checkPath],
    ["127.0.0.1", check2Path],
  ] as const) {
    const r = runCheck(node, "", script, "only-curl");
    assert.equal(r.stderr, "", script);
    assert.equal(r.status, 0, script);
  }
  // Failures name their cause with built-ins too.
  assert.match(runCheck("127.0.0.2", "", checkPath, "only-curl").stderr, /reports registry_url 'other\.example'/);
  assert.match(runCheck("127.0.0.3", "", check2Path, "only-curl").stderr, /database is not healthy/);
  assert.match(runCheck("127.0.0.5", "", checkPath, "only-curl").stderr, /connection refused/);
});

test("a drained node fails on purpose even though it is healthy", () => {
  const r = runCheck("127.0.0.1", "127.0.0.1");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /drained on purpose/);
});

test("a node that never answers fails within keepalived's misc_timeout", () => {
  const r = runCheck("127.0.0.4");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /GET \/api\/systeminfo: timed out/);
  assert.ok(r.elapsedMs < (CHECK_TIMEOUT_S + 1) * 1000, `took ${r.elapsedMs} ms`);
});

test("a node with nothing listening fails: connection refused", () => {
  const r = runCheck("127.0.0.5");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /connection refused/);
});

test("an argument that is not an IPv4 address is refused", () => {
  const r = runCheck("127.0.0.1;rm");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not an IPv4 address/);
});

test("Harbor 2.x: a node whose core, database, Redis and registry are healthy passes, even with Trivy unhealthy", () => {
  for (const node of ["127.0.0.1", "127.0.0.2"]) {
    const r = runCheck(node, "", check2Path);
    assert.equal(r.stderr, "", node);
    assert.equal(r.status, 0, node);
  }
});

test("Harbor 2.x: a node whose database Harbor reports unhealthy fails, naming it", () => {
  const r = runCheck("127.0.0.3", "", check2Path);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^check\.sh: 127\.0\.0\.3: \/api\/v2\.0\/health: database is not healthy\n$/);
});

test("Harbor 2.x: a node that never answers fails on /api/v2.0/ping within keepalived's misc_timeout", () => {
  const r = runCheck("127.0.0.4", "", check2Path);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /GET \/api\/v2\.0\/ping: timed out/);
});

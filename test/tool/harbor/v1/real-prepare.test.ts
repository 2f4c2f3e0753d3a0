/**
 * The rendered files against Harbor's REAL `prepare --ha` of 1.4.0 and 1.5.4 (from the offline
 * installers in ../shared/harbor/, unpacked into a temporary folder), run by Python 2.7:
 * prepare accepts our harbor.cfg, writes the registry's config with our Redis and storage,
 * nginx with our certificate, and — through harbor-ha's ha/ copies — ends with our token key
 * pair and secretkey even though Harbor's templates hold its default key, and even when ha/
 * held an older key before. prepare's fixed /data paths are redirected into the temporary
 * folder (test/support/prepare-sandbox.py); nothing touches this machine's /data.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { before, describe, test } from "node:test";
import type { ClusterState, Inventory } from "../../../../src/inventory/model.js";
import { Secret } from "../../../../src/inventory/secret.js";
import { projectRoot } from "../../../../src/paths.js";
import { renderDesiredState } from "../../../../src/render/desired-state.js";
import { harborLiveFiles } from "../../../../src/harbor/v1/paths.js";
import { HARBOR1_PREPARE_WRITER, harbor1PreparedFiles } from "../../../../src/harbor/v1/prepared-files.js";
import { preparedFileDrift } from "../../../../src/facts/prepared-files.js";
import { emptyFacts } from "../../../../src/facts/parse.js";
import type { DesiredHost } from "../../../../src/desired/types.js";
import { HARBOR_TEST_VERSIONS, unpackHarborBundle } from "../../../support/harbor-bundles.js";
import { buildTestInventory, inventoryData, makeTestTls, readFixtureState } from "../../../support/inventories.js";

const SANDBOX = join(projectRoot(), "test", "support", "prepare-sandbox.py");

/** `$(pyenv prefix 2.7.18)/bin/python`, the Python 2 Harbor 1.x's prepare needs, or undefined. */
function findPython2(): string | undefined {
  let prefix = "/root/.pyenv/versions/2.7.18";
  try {
    prefix = execFileSync("pyenv", ["prefix", "2.7.18"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || prefix;
  } catch {
    // No pyenv on PATH: try its usual place.
  }
  const python = join(prefix, "bin", "python");
  return existsSync(python) ? python : undefined;
}

const python = findPython2();
/** Said by every test when Python 2.7 is missing: a tool test fails without its tool, it does not skip. */
const missing = python === undefined ? "Python 2.7.18 is not installed (pyenv install 2.7.18): Harbor 1.x's prepare cannot run" : undefined;

interface Sandbox {
  root: string;
  harbor: string;
  data: string;
  inv: Inventory;
  remove(): void;
}

function sandbox(version: string, protocol: "http" | "https"): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "hha-prepare-"));
  const harbor = unpackHarborBundle(version as (typeof HARBOR_TEST_VERSIONS)[number], root);
  const raw = inventoryData({ lbs: 2, nodes: 2, protocol, vrrpMode: "unicast", withCa: true });
  (raw.cluster as Record<string, unknown>).harbor_version = version;
  (raw.installer as Record<string, unknown>).install_dir = root;
  (raw.harbor as Record<string, unknown>).with_clair = protocol === "https";
  const inv = buildTestInventory(raw, protocol === "https" ? makeTestTls("registry.test.example", true) : undefined);
  return { root, harbor, data: join(root, "data"), inv, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Where a node path lands in the sandbox: Harbor's folder is already inside it, /data is redirected. */
function local(s: Sandbox, path: string): string | undefined {
  if (path.startsWith(`${s.harbor}/`)) return path;
  if (path.startsWith("/data/")) return join(s.root, path);
  return undefined;
}

/** Writes the node's rendered files that prepare reads (harbor.cfg, ha/, /data). */
function writeNode(s: Sandbox, node: DesiredHost): void {
  for (const f of node.files) {
    const at = local(s, f.path);
    if (at === undefined) continue;
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, f.content, { mode: f.mode });
  }
}

function runPrepare(s: Sandbox, ha = true): void {
  const args = [SANDBOX, join(s.harbor, "prepare"), ...(ha ? ["--ha"] : []), "--yes", ...(s.inv.data.harbor.with_clair ? ["--with-clair"] : [])];
  const r = spawnSync(python ?? "python2", args, {
    cwd: s.harbor,
    encoding: "utf8",
    env: { ...process.env, PREPARE_SANDBOX_DATA: s.data },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `prepare ${args.slice(2).join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
}

function renderNode(inv: Inventory, state: ClusterState): DesiredHost {
  const node = renderDesiredState(inv, state).hosts.find((h) => h.host.role === "harbor-node");
  assert.ok(node);
  return node;
}

/** What status and the plan judge of prepare's files here: each file's expected lines counted as facts.sh's grep -Fx counts them. */
function preparedDrift(s: Sandbox, node: DesiredHost): Array<{ path: string; reason: string }> {
  const files = harbor1PreparedFiles(s.inv, node);
  const f = emptyFacts();
  for (const p of files) {
    const at = local(s, p.path) ?? "";
    const held = existsSync(at) ? readFileSync(at, "utf8").split("\n") : undefined;
    f.lines[p.path] = held === undefined ? null : new Set(p.lines.filter((l) => held.includes(l))).size;
  }
  return preparedFileDrift(files, f, HARBOR1_PREPARE_WRITER);
}

/** Every file Harbor really uses holds what harbor-ha rendered. */
function assertLiveFiles(s: Sandbox, node: DesiredHost, label: string): void {
  const live = harborLiveFiles(s.inv, node);
  assert.equal(live.length, s.inv.data.cluster.protocol === "https" ? 6 : 3);
  for (const l of live) assert.equal(readFileSync(local(s, l.path) ?? "", "utf8"), l.content, `${label}: ${l.path} holds harbor-ha's content`);
}

describe("Harbor's real prepare --ha on the rendered files", () => {
  before(() => {
    if (missing) throw new Error(missing);
  });
  for (const version of HARBOR_TEST_VERSIONS) {
    for (const protocol of ["https", "http"] as const) {
      test(`${version} ${protocol}: exits 0; registry config, nginx and the token key pair are ours`, async () => {
        const s = sandbox(version, protocol);
        try {
          const state = await readFixtureState();
          const node = renderNode(s.inv, state);
          writeNode(s, node);
          const shipped = readFileSync(join(s.harbor, "common/templates/ui/private_key.pem"), "utf8");
          assert.notEqual(shipped, state.tokenPrivateKey.reveal(), "Harbor's templates hold its own default key");
          runPrepare(s);

          const registry = readFileSync(join(s.harbor, "common/config/registry/config.yml"), "utf8");
          assert.match(registry, /^ {2}addr: 10\.30\.0\.32:6379$/m, "the registry reaches our Redis, host:port only");
          assert.match(registry, /^ {4}rootdirectory: \/storage$/m, "filesystem storage at the compose file's /data/registry mount");
          assert.match(registry, new RegExp(`realm: ${protocol}://registry\\.test\\.example/service/token`));
          const nginx = readFileSync(join(s.harbor, "common/config/nginx/nginx.conf"), "utf8");
          if (protocol === "https") {
            assert.match(nginx, /ssl_certificate \/etc\/nginx\/cert\/server\.crt;/);
            assert.match(nginx, /ssl_certificate_key \/etc\/nginx\/cert\/server\.key;/);
          } else {
            assert.doesNotMatch(nginx, /ssl_certificate/);
          }
          assertLiveFiles(s, node, `${version} ${protocol}`);
          assert.deepEqual(preparedDrift(s, node), [], "every file prepare writes holds the lines harbor-ha expects");
        } finally {
          s.remove();
        }
      });
    }
  }

  test("./prepare run by hand without --ha: the registry's config.yml lacks the HA redis section, and the drift names it", async () => {
    const s = sandbox("1.4.0", "https");
    try {
      const node = renderNode(s.inv, await readFixtureState());
      writeNode(s, node);
      runPrepare(s);
      assert.deepEqual(preparedDrift(s, node), []);
      runPrepare(s, false);
      const drift = preparedDrift(s, node);
      assert.deepEqual(
        drift.map((d) => d.path),
        [join(s.harbor, "common/config/registry/config.yml")],
      );
      assert.match(drift[0]?.reason ?? "", /lacks the HA redis section \(redis\.addr: harbor\.cfg's redis_url\) \(0 of 2 expected lines\)/);
    } finally {
      s.remove();
    }
  });

  test("a rotation sticks: ha/ held an older key pair, secretkey and certificate; after our render the live files are the new ones", async () => {
    const s = sandbox("1.4.0", "https");
    try {
      const state = await readFixtureState();
      const older = olderState();
      const oldNode = renderNode(buildInvWithTls(s.inv, makeTestTls("registry.test.example", true)), older);
      writeNode(s, oldNode);
      runPrepare(s);
      assertLiveFiles(s, oldNode, "before the rotation");

      const node = renderNode(s.inv, state);
      writeNode(s, node);
      runPrepare(s);
      assertLiveFiles(s, node, "after the rotation");
      assert.notEqual(readFileSync(join(s.data, "secretkey"), "utf8"), older.secretkey.reveal());
    } finally {
      s.remove();
    }
  });
});

/** Another cluster state: a different key pair and secretkey, as before a rotation. */
function olderState(): ClusterState {
  const dir = mkdtempSync(join(tmpdir(), "hha-old-"));
  try {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    writeFileSync(join(dir, "k"), privateKey);
    const cert = execFileSync("openssl", ["req", "-new", "-x509", "-key", join(dir, "k"), "-days", "30", "-subj", "/CN=old"], { encoding: "utf8" });
    return { secretkey: new Secret("OldOldOldOldOld1"), tokenPrivateKey: new Secret(privateKey), tokenCertificatePem: cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function buildInvWithTls(inv: Inventory, tls: NonNullable<Inventory["tls"]>): Inventory {
  return { ...inv, tls };
}

/**
 * harbor.yml and the seeded secrets against each release line's REAL prepare: the goharbor/prepare
 * image's Python code from ../shared/harbor/harbor-prepare-image-v<release>.tgz, unpacked into a
 * temporary folder and run with its volumes bound as Harbor's installer binds them
 * (test/support/prepare2-sandbox.sh: a private mount namespace and a throw-away root; nothing
 * outside the temporary folder is touched). Then the pinned secrets are applied to what prepare
 * wrote. Needs root and python3 with yaml, jinja2, click, packaging (Debian packages).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, describe, test } from "node:test";
import { parseHarbor2Inventory } from "../../../../src/inventory/load.js";
import type { Harbor2Inventory } from "../../../../src/inventory/model-v2.js";
import { Secret } from "../../../../src/inventory/secret.js";
import { projectRoot } from "../../../../src/paths.js";
import { renderHarbor2NodeFiles } from "../../../../src/harbor/v2/node-files.js";
import { PINNED_ENV_KEYS, pinnedSecretsEnv } from "../../../../src/harbor/v2/pinned-secrets.js";
import { harbor2PinScript, PIN_MISSING_KEY_EXIT } from "../../../../src/harbor/v2/commands.js";
import type { DesiredFile } from "../../../../src/desired/types.js";
import { harbor2LinesAtHand, requireHarbor2LineFiles } from "../../../support/harbor-bundles.js";
import { TEST_SECRETS } from "../../../support/test-world.js";
import { TEST_NOW } from "../../../support/tls-fixtures.js";
import { prepareCodeWorld, readFixtureState } from "../../../support/inventories.js";

/** The release lines whose installer and prepare image are in ../shared/harbor/ (2.13 and 2.15 always; another where it was built). */
const LINES = harbor2LinesAtHand();

const SANDBOX = join(projectRoot(), "test", "support", "prepare2-sandbox.sh");
const VMS_FIXTURE_TEXT = readFileSync(join(projectRoot(), "test", "fixtures", "inventories", "v2", "vms.yaml"), "utf8");

function whyNot(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root: the sandbox binds prepare's volumes in a private mount namespace";
  const py = spawnSync("python3", ["-c", "import yaml, jinja2, click, packaging"], { encoding: "utf8" });
  if (py.status !== 0)
    return "python3 lacks yaml, jinja2, click or packaging (apt-get install python3-yaml python3-jinja2 python3-click python3-packaging)";
  return undefined;
}
/** A tool test fails without root or its tools, saying which (it does not skip). */
const missing = whyNot();

interface Box {
  dir: string;
  inv: Harbor2Inventory;
  files: DesiredFile[];
}

/** Where a rendered file lands as prepare sees the node: harbor.yml in /input, /data/cert via /hostfs, /data/secret in /data. */
function boxPath(box: Box, f: DesiredFile): string {
  if (f.path.endsWith("/harbor.yml")) return join(box.dir, "input", "harbor.yml");
  if (f.path.startsWith("/data/cert/")) return join(box.dir, "hostfs", f.path);
  if (f.path.startsWith("/data/")) return join(box.dir, f.path);
  throw new Error(`${f.path}: not a file prepare reads`);
}

function runPrepare(box: Box, code: string, withTrivy: boolean): void {
  const r = spawnSync(SANDBOX, [box.dir, code, ...(withTrivy ? ["--with-trivy"] : [])], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `prepare failed:\n${r.stdout}\n${r.stderr}`);
}

for (const line of LINES) {
  const files = requireHarbor2LineFiles(line.line);
  const VMS_FIXTURE = VMS_FIXTURE_TEXT.replace(/harbor_version: .*/, `harbor_version: ${files.release}`);
  describe(`Harbor ${files.release}'s real prepare on the rendered harbor.yml and seeded secrets`, () => {
    before(() => {
      if (missing) throw new Error(missing);
    });
    const ctx = prepareCodeWorld(files.prepareImage);

    const load = (text: string): Harbor2Inventory => {
      const { inventory, problems } = parseHarbor2Inventory(text, {
        file: join(ctx.world.dir, "inv.yaml"),
        dir: ctx.world.dir,
        env: ctx.world.env,
        now: TEST_NOW,
      });
      assert.ok(inventory, problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
      return inventory;
    };

    const prepared = async (text: string, withTrivy = true): Promise<Box & { read(rel: string): string }> => {
      const inv = load(text);
      const state = await readFixtureState();
      const dir = mkdtempSync(join(ctx.world.dir, "box-"));
      const box: Box = { dir, inv, files: renderHarbor2NodeFiles(inv, 0, state) };
      for (const f of box.files) {
        const at = boxPath(box, f);
        mkdirSync(dirname(at), { recursive: true });
        writeFileSync(at, f.content, { mode: f.mode });
      }
      runPrepare(box, ctx.code, withTrivy);
      return { ...box, read: (rel: string) => readFileSync(join(dir, rel), "utf8") };
    };

    test("https, external PostgreSQL and Redis, shared filesystem: core, registry, nginx and compose are ours", async () => {
      const box = await prepared(VMS_FIXTURE);
      const core = box.read("config/core/env");
      for (const line of [
        "EXT_ENDPOINT=https://registry.test",
        "POSTGRESQL_HOST=10.20.0.31",
        "POSTGRESQL_PORT=5432",
        "POSTGRESQL_USERNAME=harbor",
        `POSTGRESQL_PASSWORD=${TEST_SECRETS.dbPassword}`,
        "POSTGRESQL_DATABASE=registry",
        "POSTGRESQL_SSLMODE=disable",
        `HARBOR_ADMIN_PASSWORD=${TEST_SECRETS.adminPassword}`,
        `_REDIS_URL_CORE=redis://:${TEST_SECRETS.redisPassword}@10.20.0.32:6379?idle_timeout_seconds=30`,
        "WITH_TRIVY=True",
      ]) {
        assert.ok(core.split("\n").includes(line), `core/env has ${line}`);
      }
      const registry = box.read("config/registry/config.yml");
      assert.match(registry, /filesystem:\s+rootdirectory: \/storage/);
      assert.match(registry, new RegExp(`addr: 10\\.20\\.0\\.32:6379`));
      const jobservice = box.read("config/jobservice/config.yml");
      assert.match(jobservice, /name: "DB"/, "job logs go to the database");
      assert.doesNotMatch(jobservice, /name: "FILE"/);
      const compose = box.read("compose/docker-compose.yml");
      assert.doesNotMatch(compose, /^ {2}postgresql:/m, "no bundled PostgreSQL");
      assert.doesNotMatch(compose, /^ {2}redis:/m, "no bundled Redis");
      assert.match(compose, /^ {2}trivy-adapter:/m);
      assert.match(compose, /\/data\/registry:\/storage/);
      // nginx serves our pair, which prepare copied from the node (/hostfs).
      assert.equal(box.read("data/secret/cert/server.crt"), box.inv.tls?.certificatePem);
      assert.match(box.read("config/nginx/nginx.conf"), /ssl_certificate \/etc\/cert\/server\.crt;/);
    });

    test("the seeded secretkey and token key pair are reused, owned by Harbor's uid as prepare leaves them", async () => {
      const box = await prepared(VMS_FIXTURE, false);
      const state = await readFixtureState();
      assert.equal(box.read("data/secret/keys/secretkey"), state.secretkey.reveal());
      assert.equal(box.read("data/secret/core/private_key.pem").trim(), state.tokenPrivateKey.reveal().trim());
      assert.equal(box.read("data/secret/registry/root.crt").trim(), state.tokenCertificatePem.trim());
      for (const f of box.files.filter((x) => x.path.startsWith("/data/secret/"))) {
        const st = statSync(join(box.dir, f.path));
        // What harbor-ha renders is what prepare leaves: a second run sees no drift.
        assert.equal(String(st.uid), f.owner, `${f.path} owner`);
        assert.equal(st.mode & 0o777, f.mode, `${f.path} mode`);
      }
      assert.doesNotMatch(box.read("compose/docker-compose.yml"), /^ {2}trivy-adapter:/m, "no Trivy without --with-trivy");
    });

    test("Redis Sentinel and s3 reach the registry and core as Harbor's URLs", async () => {
      const text = VMS_FIXTURE.replace(
        "  host: 10.20.0.32\n",
        "  sentinel:\n    master_set: mymaster\n    hosts:\n      - host: 10.20.0.33\n      - host: 10.20.0.34\n",
      ).replace(
        "storage:\n  type: nfs\n  server: 10.20.0.40\n  registry_export: /exports/registry\n",
        "storage:\n  type: object_store\n  provider: s3\n  config:\n    region: eu-west-1\n    bucket: harbor\n    secretkey: ${env:TEST_REDIS_PASSWORD}\n    secure: true\n",
      );
      const box = await prepared(text, false);
      const core = box.read("config/core/env");
      assert.ok(
        core.includes(
          `_REDIS_URL_CORE=redis+sentinel://:${TEST_SECRETS.redisPassword}@10.20.0.33:26379,10.20.0.34:26379/mymaster?idle_timeout_seconds=30`,
        ),
        core,
      );
      assert.ok(core.includes("REGISTRY_STORAGE_PROVIDER_NAME=s3"));
      const registry = box.read("config/registry/config.yml");
      assert.match(registry, /s3:\s+region: eu-west-1\s+bucket: harbor\s+secretkey: redis-secret-42\s+secure: true/);
    });

    test("pinning: the install step's script puts the cluster's CSRF key, core and jobservice secrets into prepare's env files; nothing else changes", async () => {
      const a = await prepared(VMS_FIXTURE, false);
      const b = await prepared(VMS_FIXTURE, false);
      const secrets = { coreSecret: new Secret("c".repeat(16)), jobserviceSecret: new Secret("j".repeat(16)), csrfKey: new Secret("k".repeat(32)) };
      const expected: Record<string, string> = { CORE_SECRET: "c".repeat(16), JOBSERVICE_SECRET: "j".repeat(16), CSRF_KEY: "k".repeat(32) };
      const pinnedFile = join(ctx.world.dir, "pinned.env");
      writeFileSync(pinnedFile, pinnedSecretsEnv(secrets), { mode: 0o600 });
      /** Runs the script as the install step does, on a Harbor folder whose common/config is what prepare wrote. */
      const pin = (box: Box) => {
        const harborDir = mkdtempSync(join(ctx.world.dir, "harbor-"));
        mkdirSync(join(harborDir, "common"));
        symlinkSync(join(box.dir, "config"), join(harborDir, "common", "config"));
        return spawnSync("bash", ["-c", harbor2PinScript(), "bash", harborDir, pinnedFile], { encoding: "utf8" });
      };
      const before = new Map(Object.keys(PINNED_ENV_KEYS).map((file) => [file, [a.read(`config/${file}`), b.read(`config/${file}`)]]));
      const modes = Object.keys(PINNED_ENV_KEYS).map((file) => statSync(join(a.dir, "config", file)).mode);
      for (const box of [a, b]) assert.equal(pin(box).status, 0);
      for (const [file, keys] of Object.entries(PINNED_ENV_KEYS)) {
        const [wasA = "", wasB = ""] = before.get(file) ?? [];
        for (const key of keys) assert.notEqual(envValue(wasA, key), envValue(wasB, key), `${file} ${key}: prepare makes a new one each run`);
        const pinned = [a.read(`config/${file}`), b.read(`config/${file}`)];
        for (const key of keys) for (const p of pinned) assert.equal(envValue(p, key), expected[key], `${file} ${key}`);
        const others = (t: string) => t.split("\n").filter((l) => !keys.some((k) => l.startsWith(`${k}=`)));
        assert.deepEqual(others(pinned[0] ?? ""), others(wasA), `${file}: only the pinned lines change`);
      }
      assert.deepEqual(
        Object.keys(PINNED_ENV_KEYS).map((file) => statSync(join(a.dir, "config", file)).mode),
        modes,
        "the env files keep the mode prepare gave them",
      );
      // A release whose prepare writes a key elsewhere: the step fails, saying so, and nothing runs on.
      writeFileSync(join(a.dir, "config", "core", "env"), a.read("config/core/env").replace(/^CSRF_KEY=.*\n/m, ""));
      const missing = pin(a);
      assert.equal(missing.status, PIN_MISSING_KEY_EXIT);
      assert.match(missing.stderr, /common\/config\/core\/env has no CSRF_KEY= line/);
    });
  });
}

function envValue(text: string, key: string): string | undefined {
  return text
    .split("\n")
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);
}

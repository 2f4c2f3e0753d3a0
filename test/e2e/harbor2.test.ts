/**
 * Harbor 2.x on VMs, end to end: the real tool against a lab of Harbor 2.15.1 nodes (Harbor's own
 * install.sh and prepare on every node, PostgreSQL and Redis on the db host; https, 2 load
 * balancers with HAProxy behind the VIP, 2 nodes):
 * - provision creates the empty database (database.create: true), renders harbor.yml, seeds the
 *   secretkey and token key pair prepare reuses, and pins what prepare makes anew (core, job
 *   service and CSRF secrets) to the cluster's values on every node; a second run changes nothing;
 * - skopeo pushes through one node and pulls through the other and through the VIP;
 * - a rolling reconfigure (Trivy off) rolls one node at a time while pulls loop through the VIP,
 *   none failing, and the pinned secrets survive the new prepare run;
 * - status is healthy and compares the shared secrets across nodes;
 * - install.sh run by hand on a node (prepare makes new secrets): status names the node's env
 *   files, provision reinstalls that node only and the cluster's secrets are back;
 * - rotate-certs rolls a new certificate (prepare copies it for nginx) and every node serves it;
 * - the failover drill measures the VIP move with real HTTPS requests (/api/v2.0/systeminfo).
 */
import { after, before, describe, it } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { makeImage, pullImage, pullLoop, pushImage } from "./helpers/registry.js";
import { newCertificate, servedFingerprint } from "./helpers/tls.js";
import { X509Certificate } from "node:crypto";

const NODES = ["harbor1", "harbor2"];
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** The keys harbor-ha pins in each env file prepare writes (render/harbor2-pinned-secrets.ts). */
const PINNED = { CORE_SECRET: "core_secret", JOBSERVICE_SECRET: "jobservice_secret", CSRF_KEY: "csrf_key" } as const;

describe("Harbor 2.15.1 on VMs (https lab: 2 load balancers with HAProxy, 2 nodes)", { timeout: 1_200_000 }, () => {
  let lab: Lab;
  let work: string;
  before(async () => {
    lab = await labUp({ lbs: 2, nodes: 2, protocol: "https", harborVersion: "2.15", loadBalancing: "haproxy" });
    work = mkdtempSync(join(tmpdir(), "hha-harbor2-"));
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await labDown();
  });

  /** The state folder's value of each pinned secret. */
  const stateValues = () =>
    Object.fromEntries(
      Object.entries(PINNED).map(([key, file]) => [key, readFileSync(join(lab.dir, ".harbor-ha", "lab", file), "utf8").trim()]),
    ) as Record<keyof typeof PINNED, string>;

  /** KEY=value lines of the env files prepare wrote on `node`, and what the running core got. */
  async function pinnedOn(node: string): Promise<{ files: string; core: string }> {
    const files = await lab.sshRun(
      node,
      "cd /opt/harbor/common/config && grep -H '^\\(CORE_SECRET\\|JOBSERVICE_SECRET\\|CSRF_KEY\\)=' core/env jobservice/env registryctl/env",
    );
    assert.equal(files.code, 0, `${node}: ${files.stderr}`);
    // The lab's container runner keeps the environment each container was started with.
    const core = await lab.sshRun(
      node,
      `python3 -c 'import json; e = json.load(open("/var/lib/lab-compose/harbor/core.spec.json"))["env"]; print(" ".join("%s=%s" % (k, e[k]) for k in ("CORE_SECRET", "JOBSERVICE_SECRET", "CSRF_KEY")))'`,
    );
    assert.equal(core.code, 0, `${node}: ${core.stderr}`);
    return { files: files.stdout, core: core.stdout.trim() };
  }

  async function assertPinned(): Promise<void> {
    const want = stateValues();
    for (const node of NODES) {
      const { files, core } = await pinnedOn(node);
      const expected = [
        ...["CORE_SECRET", "JOBSERVICE_SECRET", "CSRF_KEY"].map((k) => `core/env:${k}=${want[k as keyof typeof PINNED]}`),
        ...["jobservice/env", "registryctl/env"].flatMap((f) =>
          ["CORE_SECRET", "JOBSERVICE_SECRET"].map((k) => `${f}:${k}=${want[k as keyof typeof PINNED]}`),
        ),
      ].sort();
      assert.deepEqual(files.trim().split("\n").sort(), expected, `${node}: prepare's env files hold the cluster's values`);
      assert.equal(
        core,
        `CORE_SECRET=${want.CORE_SECRET} JOBSERVICE_SECRET=${want.JOBSERVICE_SECRET} CSRF_KEY=${want.CSRF_KEY}`,
        `${node}: core runs with them`,
      );
    }
  }

  it("provision installs both nodes: the database created, harbor.yml rendered, the shared secrets seeded and pinned; a second run changes nothing", async () => {
    const r = await runCli(["provision", lab.inventoryPath], { timeoutMs: 900_000 });
    assert.equal(r.code, 0, `provision: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /created the empty database "registry"/);
    for (const node of NODES) assert.match(r.stdout + r.stderr, new RegExp(`${node}: run install\\.sh --with-trivy, then pin the shared secrets`));
    for (const node of NODES) {
      const yml = await lab.sshRun(node, "cat /opt/harbor/harbor.yml");
      assert.match(yml.stdout, /^external_database:/m);
      assert.match(yml.stdout, /^external_redis:/m);
      // prepare kept the seeded secretkey and token key pair (it makes its own only where none is), and
      // the compose file it wrote mounts them into core and the registry.
      for (const [remote, local] of [
        ["/data/secret/keys/secretkey", "secretkey"],
        ["/data/secret/core/private_key.pem", "token_private_key.pem"],
        ["/data/secret/registry/root.crt", "token_root.crt"],
      ]) {
        const sum = await lab.sshRun(node, `sha256sum < ${remote}`);
        assert.equal(
          sum.stdout.split(" ")[0],
          sha256(readFileSync(join(lab.dir, ".harbor-ha", "lab", local ?? ""))),
          `${node}: ${remote} is the cluster's`,
        );
      }
      const compose = await lab.sshRun(node, "cat /opt/harbor/docker-compose.yml");
      assert.match(compose.stdout, /source: \/data\/secret\/core\/private_key\.pem\s+target: \/etc\/core\/private_key\.pem/);
    }
    await assertPinned();
    const again = await runCli(["provision", lab.inventoryPath]);
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /No change: nothing was written and nothing restarted/);
  });

  it("skopeo pushes through harbor1 and pulls through harbor2 and through the VIP", async () => {
    const image = join(work, "image");
    await makeImage(image, "1", "harbor-ha on Harbor 2.x");
    const push = await pushImage(lab, "harbor1", image, "1", "hello");
    assert.equal(push.code, 0, `push: ${push.stderr}`);
    for (const target of ["harbor2", "vip"]) {
      const pull = await pullImage(lab, target, "hello", "1", join(work, `pulled-${target}`));
      assert.equal(pull.code, 0, `pull through ${target}: ${pull.stderr}`);
    }
  });

  it("a rolling reconfigure (Trivy off) rolls one node at a time while pulls through the VIP never fail; the pinned secrets stay", async () => {
    const changed = join(lab.dir, "inventory-no-trivy.yaml");
    writeFileSync(changed, readFileSync(lab.inventoryPath, "utf8").replace("  with_trivy: true\n", "  with_trivy: false\n"));
    const loop = pullLoop(lab, work);
    const r = await runCli(["reconfigure", changed], { timeoutMs: 900_000 });
    const { made, failures } = await loop.stop();
    assert.equal(r.code, 0, `reconfigure: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /rolled: harbor1, harbor2; never more than 1 out of service at once/);
    for (const node of NODES) {
      const compose = await lab.sshRun(node, "grep -c 'trivy-adapter:' /opt/harbor/docker-compose.yml || true");
      assert.equal(compose.stdout.trim(), "0", `${node}: installed without Trivy`);
    }
    assert.ok(made >= 3, `only ${made} pulls were made during the roll`);
    assert.deepEqual(failures, [], `${failures.length} of ${made} pulls through the VIP failed`);
    await assertPinned();

    const status = await runCli(["status", changed, "--json"]);
    const report = JSON.parse(status.stdout) as {
      problems: Array<{ host: string; message: string }>;
      details: { cluster: { secrets: Array<{ name: string; consistent: boolean }>; database?: { state: string } } };
    };
    assert.deepEqual(report.problems, [], "status is healthy");
    assert.equal(status.code, 0);
    assert.deepEqual(report.details.cluster.secrets.map((s) => `${s.name}: ${s.consistent}`).sort(), [
      "core, job service and CSRF secrets: true",
      "secretkey: true",
      "token signing key: true",
    ]);
    assert.equal(report.details.cluster.database?.state, "ok");
  });
  it("install.sh run by hand on one node (prepare makes new secrets): status names it, provision puts the cluster's secrets back", async () => {
    const inv = join(lab.dir, "inventory-no-trivy.yaml");
    const byHand = await lab.sshRun("harbor2", "cd /opt/harbor && ./install.sh </dev/null >/dev/null 2>&1; echo $?", { timeoutMs: 300_000 });
    assert.equal(byHand.stdout.trim(), "0");
    const status = await runCli(["status", inv, "--json"]);
    assert.notEqual(status.code, 0, "status is not healthy");
    const report = JSON.parse(status.stdout) as { problems: Array<{ host: string; message: string }> };
    assert.ok(
      report.problems.some((p) => p.host === "harbor2" && /common\/config\/core\/env/.test(p.message)),
      JSON.stringify(report.problems),
    );
    assert.ok(!report.problems.some((p) => p.host === "harbor1"), JSON.stringify(report.problems));
    const r = await runCli(["provision", inv, "--serial", "1"], { timeoutMs: 900_000 });
    assert.equal(r.code, 0, `provision: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /harbor2: run install\.sh/);
    assert.doesNotMatch(r.stdout + r.stderr, /harbor1: run install\.sh/);
    await assertPinned();
  });

  it("rotate-certs rolls a new certificate node by node; every node's nginx then serves it", async () => {
    const cert = newCertificate(lab, "tls-rotated");
    const expected = new X509Certificate(cert.pem).fingerprint256.toUpperCase();
    assert.notEqual(await servedFingerprint(lab, "harbor1"), expected);
    const inv = join(lab.dir, "inventory-rotated.yaml");
    writeFileSync(
      inv,
      readFileSync(join(lab.dir, "inventory-no-trivy.yaml"), "utf8")
        .replace(join(lab.dir, "tls", "server.crt"), join(cert.dir, "server.crt"))
        .replace(join(lab.dir, "tls", "server.key"), join(cert.dir, "server.key")),
    );
    const r = await runCli(["rotate-certs", inv], { timeoutMs: 900_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const node of NODES) assert.equal(await servedFingerprint(lab, node), expected, `${node} serves the new certificate`);
    await assertPinned();
  });

  it("the failover drill measures the VIP move with real HTTPS requests to Harbor 2.x's API", async () => {
    const r = await runCli(["failover-drill", join(lab.dir, "inventory-rotated.yaml")]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /HTTPS GET \/api\/v2\.0\/systeminfo for registry\.lab\.test through the VIP was answered 200 \(from this machine\) after \d+ ms\./,
    );
    assert.match(r.stdout, /Restored/);
  });
});

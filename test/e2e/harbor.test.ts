/**
 * Harbor's own offline installers (1.4.0 and 1.5.4, from ../shared/harbor) provisioned by the
 * real tool on the lab: Harbor's install.sh and prepare run on every node, the registry is
 * Docker distribution with the config prepare wrote, nginx runs prepare's nginx.conf, and a
 * real client (skopeo, curl) pushes through one node and pulls through another.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labDown, labUp } from "./helpers/lab.js";
import type { Lab } from "./helpers/lab.js";
import { runCli } from "./helpers/cli.js";
import { newCertificate, servedFingerprint } from "./helpers/tls.js";
import { fetchToken, harborConfigurations, labClient, makeImage, pullImage, pushImage, statusWithToken } from "./helpers/registry.js";

const HARBOR_DIR = "/opt/harbor";

function variant(lab: Lab, name: string, edit: (text: string) => string): string {
  const text = readFileSync(lab.inventoryPath, "utf8");
  const edited = edit(text);
  assert.notEqual(edited, text, `${name}: the edit changed nothing`);
  const path = join(lab.dir, name);
  writeFileSync(path, edited);
  return path;
}

function withExtraCfg(text: string, cfg: Record<string, string | number>): string {
  const lines = Object.entries(cfg)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join("");
  return text.replace("  with_clair: false\n", `  with_clair: false\n  extra_cfg:\n${lines}`);
}

async function managedFilesAbsent(lab: Lab): Promise<void> {
  for (const h of lab.hosts.filter((x) => x.role !== "db")) {
    const path = h.role === "loadbalancer" ? "/etc/keepalived/keepalived.conf" : `${HARBOR_DIR}/harbor.cfg`;
    const r = await lab.sshRun(h.name, `test -e ${path} && echo present || echo absent`);
    assert.equal(r.stdout.trim(), "absent", `${h.name}: ${path} was written by a run that should have changed nothing`);
  }
}

/** Runs Harbor's install.sh by hand on a node, as an operator might: prepare runs again. */
async function reinstallByHand(lab: Lab, node: string): Promise<void> {
  const r = await lab.sshRun(node, `cd ${HARBOR_DIR} && echo yes | TERM=dumb ./install.sh --ha`, { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `install.sh on ${node}: ${r.stdout}\n${r.stderr}`);
}

/** Waits until the node's Harbor answers /api/systeminfo (install.sh returns before it does). */
async function waitForHarbor(lab: Lab, node: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await lab.sshRun(node, `curl -ks -o /dev/null -w '%{http_code}' ${lab.protocol}://127.0.0.1/api/systeminfo`);
    if (r.stdout.trim() === "200") return;
    if (Date.now() > deadline) throw new Error(`${node}: Harbor did not answer after a manual install.sh (last status ${r.stdout})`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

for (const version of ["1.4", "1.5"] as const) {
  describe(`Harbor ${version} from its own offline installer (https lab: 2 load balancers, 2 nodes)`, { timeout: 1_200_000 }, () => {
    let lab: Lab;
    let work: string;
    before(async () => {
      lab = await labUp({ lbs: 2, nodes: 2, protocol: "https", harborVersion: version });
      work = mkdtempSync(join(tmpdir(), "hha-images-"));
    });
    after(async () => {
      rmSync(work, { recursive: true, force: true });
      await labDown();
    });

    it("uses Harbor's own bundle, with the version it says", () => {
      assert.match(lab.harborVersion, new RegExp(`^${version.replace(".", "\\.")}\\.\\d+$`));
      assert.match(lab.installer, /shared\/harbor\/harbor-offline-installer-v1\.[45]\.\d-noimages\.tgz$/);
      const text = readFileSync(lab.inventoryPath, "utf8");
      assert.doesNotMatch(text, /registry_sql/, "registry.sql comes from the bundle");
    });

    it("preflight refuses a node without docker-compose, and changes nothing", async () => {
      await lab.sshRun("harbor2", "mv /usr/local/bin/docker-compose /usr/local/bin/docker-compose.hidden");
      try {
        const r = await runCli(["provision", lab.inventoryPath]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /harbor2/);
        assert.match(r.stderr, /docker-compose/);
        await managedFilesAbsent(lab);
        const tables = await lab.sshRun("db", "mariadb -N -e 'show tables' registry 2>&1 || true");
        assert.doesNotMatch(tables.stdout, /alembic_version/);
      } finally {
        await lab.sshRun("harbor2", "mv /usr/local/bin/docker-compose.hidden /usr/local/bin/docker-compose");
      }
    });

    it("provisions: Harbor's install.sh and prepare ran on every node, the real registry and nginx serve", async () => {
      const r = await runCli(["provision", lab.inventoryPath]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const tables = (
        await lab.sshRun(
          "db",
          "mariadb -N -e 'select count(*) from information_schema.tables where table_schema=\"registry\"; select version_num from registry.alembic_version'",
        )
      ).stdout.split("\n");
      assert.equal(tables[0], version === "1.4" ? "17" : "20", "Harbor's own registry.sql");
      assert.equal(tables[1], version === "1.4" ? "1.4.0" : "1.5.0");
      for (const node of ["harbor1", "harbor2"]) {
        // prepare's output, read by the real registry and nginx.
        const cfg = await lab.sshRun(node, `cat ${HARBOR_DIR}/common/config/registry/config.yml`);
        assert.match(cfg.stdout, /addr: 198\.18\.0\.5:6379\n/, `${node}: the registry's Redis address is host:port`);
        assert.match(cfg.stdout, /rootdirectory: \/storage/);
        const procs = await lab.sshRun(node, "ps -eo user:12,args");
        assert.match(procs.stdout, /docker-registry serve \/etc\/registry\/config\.yml/, `${node} runs Docker distribution`);
        assert.match(procs.stdout, /nginx: master process/, `${node} runs nginx`);
        const v2 = await lab.sshRun(node, "curl -ks -D - -o /dev/null https://127.0.0.1/v2/");
        assert.match(v2.stdout, /^HTTP\/1\.1 401/);
        assert.match(v2.stdout, /Bearer realm="https:\/\/registry\.lab\.test\/service\/token"/);
        const key = await lab.sshRun(node, `head -1 ${HARBOR_DIR}/common/config/ui/private_key.pem`);
        assert.equal(key.stdout.trim(), "-----BEGIN RSA PRIVATE KEY-----", `${node}: the token key is in the PEM form Harbor's libtrust reads`);
      }
    });

    it("an image pushed through harbor1 is pulled through harbor2", async () => {
      const oci = join(work, "src");
      await makeImage(oci, "1", `pushed through harbor1 (${version})`);
      const push = await pushImage(lab, "harbor1", oci, "1", "hello");
      assert.equal(push.code, 0, `push: ${push.stdout}\n${push.stderr}`);
      const pull = await pullImage(lab, "harbor2", "hello", "1", join(work, "pulled"));
      assert.equal(pull.code, 0, `pull: ${pull.stdout}\n${pull.stderr}`);
      const digests = await Promise.all(
        ["harbor1", "harbor2"].map(async (n) => {
          const r = await labClient(n, [
            "skopeo",
            "inspect",
            "--cert-dir",
            join(lab.dir, "tls", "cert-dir"),
            "--creds",
            `admin:${lab.secret("harbor-admin-password")}`,
            "--format",
            "{{.Digest}}",
            "docker://registry.lab.test/library/hello:1",
          ]);
          assert.equal(r.code, 0, r.stderr);
          return r.stdout.trim();
        }),
      );
      assert.equal(digests[0], digests[1], "both nodes serve the same manifest");
    });

    it("a token from one node opens the other's registry; nodes with different token keys answer 401 until provision repairs them", async () => {
      const scope = "repository:library/hello:pull";
      const manifest = "/v2/library/hello/manifests/1";
      assert.equal(await statusWithToken(lab, "harbor2", manifest, await fetchToken(lab, "harbor1", scope)), 200);
      // harbor2 gets a token key pair of its own, the way prepare would leave it with customize_crt.
      const keyDir = join(work, "other-key");
      mkdirSync(keyDir);
      execFileSync("openssl", ["genrsa", "-traditional", "-out", join(keyDir, "k.pem"), "2048"], { stdio: "ignore" });
      execFileSync(
        "openssl",
        ["req", "-new", "-x509", "-key", join(keyDir, "k.pem"), "-out", join(keyDir, "c.crt"), "-days", "30", "-subj", "/CN=another token key"],
        { stdio: "ignore" },
      );
      await lab.sshRun("harbor2", `cat > ${HARBOR_DIR}/ha/private_key.pem`, { input: readFileSync(join(keyDir, "k.pem")) });
      await lab.sshRun("harbor2", `cat > ${HARBOR_DIR}/ha/root.crt`, { input: readFileSync(join(keyDir, "c.crt")) });
      await reinstallByHand(lab, "harbor2");
      await waitForHarbor(lab, "harbor2");
      assert.equal(
        await statusWithToken(lab, "harbor2", manifest, await fetchToken(lab, "harbor1", scope)),
        401,
        "harbor2's registry must refuse harbor1's token",
      );
      assert.equal(
        await statusWithToken(lab, "harbor1", manifest, await fetchToken(lab, "harbor2", scope)),
        401,
        "harbor1's registry must refuse harbor2's token",
      );

      const r = await runCli(["provision", lab.inventoryPath]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout + r.stderr, /ha\/private_key\.pem/);
      assert.equal(await statusWithToken(lab, "harbor2", manifest, await fetchToken(lab, "harbor1", scope)), 200);
      assert.equal(await statusWithToken(lab, "harbor1", manifest, await fetchToken(lab, "harbor2", scope)), 200);
    });

    it("a second run changes nothing", async () => {
      const r = await runCli(["provision", lab.inventoryPath]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /No change/);
      const dry = await runCli(["provision", lab.inventoryPath, "--dry-run"]);
      assert.equal(dry.code, 0, dry.stdout);
    });

    it("rotate-certs: every node serves the new certificate, and still does after prepare runs again", async () => {
      const cert = newCertificate(lab, `tls-rotated-${version}`);
      const expected = new X509Certificate(cert.pem).fingerprint256.toUpperCase();
      assert.notEqual(await servedFingerprint(lab, "harbor1"), expected);
      const inv = variant(lab, "inventory-rotated.yaml", (t) =>
        t
          .replace(join(lab.dir, "tls", "server.crt"), join(cert.dir, "server.crt"))
          .replace(join(lab.dir, "tls", "server.key"), join(cert.dir, "server.key")),
      );
      const r = await runCli(["rotate-certs", inv]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      for (const n of ["harbor1", "harbor2"]) assert.equal(await servedFingerprint(lab, n), expected, `${n} serves the new certificate`);
      // prepare --ha copies harbor/ha/ over the live files on every run: the rotation must survive it.
      await reinstallByHand(lab, "harbor1");
      await waitForHarbor(lab, "harbor1");
      assert.equal(await servedFingerprint(lab, "harbor1"), expected, "prepare restored the old certificate");
      const again = await runCli(["rotate-certs", inv]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /Nothing to change/);
    });

    it("a setting Harbor keeps in its database after first boot reaches Harbor", async () => {
      const before = await harborConfigurations(lab, "harbor1");
      assert.equal(before["token_expiration"]?.value, 30);
      const inv = variant(lab, "inventory-token-expiration.yaml", (t) => withExtraCfg(t, { token_expiration: 45 }));
      const r = await runCli(["reconfigure", inv]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      for (const n of ["harbor1", "harbor2"])
        assert.equal((await harborConfigurations(lab, n))["token_expiration"]?.value, 45, `${n} reports the new value`);
      const again = await runCli(["reconfigure", inv, "--dry-run"]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
    });
  });
}

/**
 * `harbor-ha validate` and `harbor-ha render` as an operator runs them: the real binary,
 * its output and exit codes, and what lands on disk. No network.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../../../src/paths.js";
import { runCli } from "../../../e2e/helpers/cli.js";

const example = join(projectRoot(), "inventory", "example.yaml");

/** Temporary folders of this file, removed when it ends. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the example inventory (and its files) in a temp folder, so renders write their state there. */
function exampleCopy(): string {
  const dir = tempDir("hha-cli-");
  cpSync(join(projectRoot(), "inventory"), dir, { recursive: true, filter: (src) => !src.includes(".harbor-ha") });
  return join(dir, "example.yaml");
}

describe("harbor-ha validate", () => {
  it("accepts the example inventory with exit 0, printing its warnings and a summary", async () => {
    const r = await runCli(["validate", example]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid — registry-prod: https:\/\/registry\.example\.com at VIP 10\.20\.0\.100\/24, 2 load balancers, 3 Harbor nodes/);
    assert.match(r.stdout, /warning\s+\S+example\.yaml:\d+\s+installer\.bundle: .* does not exist; provision will need it/);
  });

  it("reports every problem with file:line and YAML path, exits 2", async () => {
    const inv = exampleCopy();
    const text = readFileSync(inv, "utf8").replace("priority: 100", "priority: 150").replace("virtual_router_id: 51", "virtual_router_id: 300");
    writeFileSync(inv, text);
    const r = await runCli(["validate", inv]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error\s+\S*example\.yaml:\d+\s+keepalived\.virtual_router_id: must be between 1 and 255/);
    assert.match(r.stderr, /error\s+\S*example\.yaml:\d+\s+load_balancers\[1\]\.priority: .*150/);
    assert.match(r.stderr, /2 problems in the inventory/);
  });

  it("checks an existing state folder's token key: PKCS#8 is a warning (converted later), a foreign key an error", async () => {
    const inv = exampleCopy();
    const state = join(inv, "..", ".harbor-ha", "registry-prod");
    mkdirSync(state, { recursive: true });
    const fixture = join(projectRoot(), "test", "fixtures", "state");
    for (const f of ["secretkey", "token_root.crt"]) cpSync(join(fixture, f), join(state, f));
    const key = readFileSync(join(fixture, "token_private_key.pem"), "utf8");
    writeFileSync(join(state, "token_private_key.pem"), execFileSync("openssl", ["pkcs8", "-topk8", "-nocrypt"], { input: key, encoding: "utf8" }));
    const pkcs8 = await runCli(["validate", inv]);
    assert.equal(pkcs8.code, 0, pkcs8.stderr);
    assert.match(
      pkcs8.stderr,
      /warning\s+\S+token_private_key\.pem is "PRIVATE KEY" \(PKCS#8\), which Harbor 1\.x's token service cannot read; .*openssl rsa -in \S+ -traditional -out \S+/,
    );
    writeFileSync(
      join(state, "token_private_key.pem"),
      execFileSync("openssl", ["genrsa", "-traditional", "2048"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    );
    const foreign = await runCli(["validate", inv]);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /error\s+\S+token_private_key\.pem does not belong to \S+token_root\.crt/);
  });

  it("--json: ok and every problem as an item (path, line, severity, message); an invalid inventory the same, with the error", async () => {
    const good = await runCli(["validate", example, "--json"]);
    assert.equal(good.code, 0, good.stderr);
    const ok = JSON.parse(good.stdout) as {
      run: { command: string; ok: boolean };
      problems: Array<{ path: string; line?: number; severity: string }>;
    };
    assert.equal(ok.run.command, "validate");
    assert.equal(ok.run.ok, true);
    assert.ok(ok.problems.some((p) => p.path === "installer.bundle" && p.severity === "warning" && (p.line ?? 0) > 0));
    const inv = exampleCopy();
    writeFileSync(inv, readFileSync(inv, "utf8").replace("virtual_router_id: 51", "virtual_router_id: 300"));
    const bad = await runCli(["validate", inv, "--json"]);
    assert.equal(bad.code, 2);
    const report = JSON.parse(bad.stdout) as {
      run: { ok: boolean };
      problems: Array<{ path: string; severity: string }>;
      error: { exitCode: number };
    };
    assert.equal(report.run.ok, false);
    assert.equal(report.error.exitCode, 2);
    assert.ok(report.problems.some((p) => p.path === "keepalived.virtual_router_id" && p.severity === "error"));
  });

  it("explains itself in --help", async () => {
    const r = await runCli(["validate", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Exit status:\n  0  valid/);
    assert.match(r.stdout, /harbor-ha validate inventory\/example\.yaml/);
  });
});

describe("harbor-ha render", () => {
  it("writes every file with its mode and a manifest per host, and prints a tree without secrets", async () => {
    const inv = exampleCopy();
    const out = join(tempDir("hha-out-"), "render");
    const r = await runCli(["render", inv, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Rendered \d+ files for 5 hosts/);
    assert.match(r.stdout, /0640 root:root\s+\/etc\/keepalived\/keepalived\.conf/);
    const cfg = join(out, "harbor1", "opt", "harbor", "harbor.cfg");
    assert.equal(statSync(cfg).mode & 0o777, 0o600);
    assert.equal(statSync(join(out, "lb1", "usr", "local", "bin", "check.sh")).mode & 0o777, 0o755);
    const manifest = JSON.parse(readFileSync(join(out, "harbor1.manifest.json"), "utf8")) as {
      files: Array<{ path: string; mode: string; sha256?: string; holdsSecrets?: boolean }>;
    };
    const entry = manifest.files.find((f) => f.path === "/opt/harbor/harbor.cfg");
    assert.equal(entry?.mode, "0600");
    // A file with secrets has no digest in the shareable manifest; the others do.
    assert.deepEqual([entry?.sha256, entry?.holdsSecrets], [undefined, true]);
    const plain = manifest.files.find((f) => f.sha256 !== undefined);
    assert.ok(plain, "files without secrets keep their digest");
    assert.equal(
      plain.sha256,
      createHash("sha256")
        .update(readFileSync(join(out, "harbor1", plain.path)))
        .digest("hex"),
    );
    for (const secret of ["Example-Db-Pass-1", "Example-Admin-Pass-1", "vrrp2026"]) {
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${secret} printed`);
    }
    assert.ok(readFileSync(cfg, "utf8").includes("db_password = Example-Db-Pass-1"), "harbor.cfg holds the secret it needs");

    // A second render is identical (the cluster secrets are generated once and kept).
    const again = await runCli(["render", inv, "--out", out]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(out, "harbor1.manifest.json"), "utf8")), manifest);
  });

  it("writes nothing and exits 2 for a broken inventory", async () => {
    const inv = exampleCopy();
    writeFileSync(inv, readFileSync(inv, "utf8").replace("vip: 10.20.0.100/24", "vip: 10.99.0.100/24"));
    const out = join(tempDir("hha-out-"), "render");
    const r = await runCli(["render", inv, "--out", out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cluster\.vip: /);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(join(inv, "..", ".harbor-ha")), false, "no state generated for a broken inventory");
  });

  it("refuses to replace a folder that is not a previous render", async () => {
    const out = tempDir("hha-out-");
    writeFileSync(join(out, "precious.txt"), "keep me");
    const r = await runCli(["render", exampleCopy(), "--out", out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not empty and was not written by harbor-ha render/);
    assert.equal(readFileSync(join(out, "precious.txt"), "utf8"), "keep me");
  });
});

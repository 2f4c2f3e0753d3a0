/**
 * scripts/demo.sh, the README's first command, as a user runs it: from a clone anywhere (here
 * under /root, which the lab's hosts hide, in a folder with a space), with Harbor's installer
 * given by --installer because such a clone has no ../shared/ beside it; then `lab.sh down`
 * says one line and leaves nothing. Its arguments are checked first, before anything is
 * installed or started (a copy of the script with stand-ins for setup.sh and lab.sh shows it).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { projectRoot } from "../../src/paths.js";
import { harborBundlePath } from "../support/harbor-bundles.js";
import { labLeftovers, withLabLock } from "./helpers/lab.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without the lab folder a caller may have set: the clone uses its own .lab/. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.HARBOR_HA_LAB_DIR;
  return env;
}

describe("scripts/demo.sh's arguments (nothing installed or started)", () => {
  // A copy of the demo and the lab's installer rules in a folder with no ../shared/ beside
  // it; setup.sh and lab.sh are stand-ins that record that they ran.
  let repo = "";
  let ran = "";
  const demo = (...args: string[]) => run(join(repo, "scripts", "demo.sh"), args, { timeoutMs: 60_000, env: cleanEnv() });

  before(() => {
    repo = join(mkdtempSync(join(tmpdir(), "hha-demo-")), "clone with space");
    ran = join(repo, "ran.log");
    mkdirSync(join(repo, "scripts"), { recursive: true });
    mkdirSync(join(repo, "lab"));
    copyFileSync(join(projectRoot(), "scripts", "demo.sh"), join(repo, "scripts", "demo.sh"));
    for (const f of ["common.sh", "harbor.sh"]) copyFileSync(join(projectRoot(), "lab", f), join(repo, "lab", f));
    for (const [name, code] of [
      ["setup.sh", 0],
      ["lab.sh", 1],
    ] as const) {
      writeFileSync(join(repo, "scripts", name), `#!/bin/sh\necho "${name} $*" >> "${ran}"\nexit ${code}\n`);
      chmodSync(join(repo, "scripts", name), 0o755);
    }
  });

  after(() => rmSync(dirname(repo), { recursive: true, force: true }));

  const ranLog = () => (existsSync(ran) ? readFileSync(ran, "utf8") : "");

  it("without ../shared/ nor --installer: says where Harbor's installer comes from and how to give it; runs nothing", async () => {
    const r = await demo();
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /installer not found: .*harbor-offline-installer-v1\.4\.0-noimages\.tgz/);
    assert.match(r.stderr, /https:\/\/github\.com\/goharbor\/harbor\/releases/);
    assert.match(r.stderr, /--installer FILE/);
    assert.equal(ranLog(), "");
  });

  it("refuses a missing or unreadable installer, naming it; runs nothing", async () => {
    const missing = join(dirname(repo), "no such.tgz");
    let r = await demo("--installer", missing);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`installer not found: ${missing}`), r.stderr);
    const notTgz = join(dirname(repo), "notes.tgz");
    writeFileSync(notTgz, "not a tar\n");
    r = await demo("--installer", notTgz);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`${notTgz} is not a readable .tgz`), r.stderr);
    assert.equal(ranLog(), "");
  });

  it("refuses unknown options, a missing value, and --installer with --harbor-version (exit 2); runs nothing", async () => {
    for (const args of [["--bogus"], ["--installer"], ["--installer", harborBundlePath("1.4.0"), "--harbor-version", "1.5"]]) {
      const r = await demo(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^demo: /, args.join(" "));
    }
    assert.equal(ranLog(), "");
  });

  it("passes a good installer (a path with a space) to the lab by its full path", async () => {
    const bundle = join(dirname(repo), "my installers", "harbor.tgz");
    mkdirSync(dirname(bundle));
    copyFileSync(harborBundlePath("1.5.4"), bundle);
    const r = await demo("--installer", bundle, "--nodes", "2", "--protocol", "http");
    assert.notEqual(r.code, 0, "the lab.sh stand-in fails, so the demo stops there");
    assert.equal(ranLog(), `setup.sh \nlab.sh up --lbs 2 --nodes 2 --protocol http --installer ${bundle}\n`);
  });
});

describe("scripts/demo.sh from a clone under /root (the lab's hosts hide /root)", { timeout: 1_800_000 }, () => {
  it("passes: lab up, provision twice, skopeo push and pull; then lab.sh down says one line and leaves nothing", async () => {
    await withLabLock(async () => {
      const clone = join("/root", `harbor-ha-demo-${process.pid} x`);
      rmSync(clone, { recursive: true, force: true });
      try {
        // The working tree as a clone has it (tracked and new files, nothing ignored) ...
        const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: projectRoot() })
          .toString()
          .split("\0")
          .filter((f) => f !== "" && existsSync(join(projectRoot(), f)));
        mkdirSync(clone);
        for (const f of files) cpSync(join(projectRoot(), f), join(clone, f), { recursive: true, verbatimSymlinks: true });
        // ... with the npm dependencies and helm already fetched (setup.sh keeps them: no network).
        for (const d of ["node_modules", ".tools"]) execFileSync("cp", ["-al", join(projectRoot(), d), join(clone, d)]);

        const t0 = Date.now();
        const r = await run(join(clone, "scripts", "demo.sh"), ["--installer", harborBundlePath("1.4.0"), "--nodes", "2"], {
          cwd: "/",
          timeoutMs: 1_500_000,
          env: cleanEnv(),
        });
        const output = r.stdout + r.stderr;
        assert.equal(r.code, 0, output.slice(-6000));
        assert.match(output, /pulled through harbor2: [1-9]\d* blobs/);
        assert.doesNotMatch(output, /has no docker command/);
        console.log(`demo from ${clone}: ${Math.round((Date.now() - t0) / 1000)} s`);

        const pids = (
          JSON.parse(readFileSync(join(clone, ".lab", "lab.json"), "utf8")) as { hosts: { pid: number; initPid: number }[] }
        ).hosts.flatMap((h) => [h.pid, h.initPid]);
        const down = await run(join(clone, "scripts", "lab.sh"), ["down"], { timeoutMs: 120_000, env: cleanEnv() });
        assert.equal(down.code, 0, down.stderr);
        assert.equal(down.stdout + down.stderr, "lab: down: nothing of the lab is left\n");
        assert.deepEqual(
          labLeftovers(pids).filter((l) => !l.startsWith("folder ")),
          [],
        );
        assert.equal(existsSync(join(clone, ".lab")), false);
      } finally {
        await run(join(clone, "scripts", "lab.sh"), ["down"], { timeoutMs: 120_000, env: cleanEnv() });
        rmSync(clone, { recursive: true, force: true });
      }
    });
  });
});

#!/usr/bin/env node
// harbor-ha upgrade measured on the lab (a benchmark, not a test): for each case a fresh lab
// (https, 2 load balancers with HAProxy behind the VIP, 3 Harbor nodes), provisioned with the old
// release, an image pushed; then, while one client pulls it through the VIP and another pushes a
// new tag through the VIP (each about every 0.2 s), `harbor-ha upgrade --json`:
//   failed pulls      pulls through the VIP that failed during the upgrade (of all made)
//   pushes refused    pushes Harbor refused with its read-only error (of all made); other failed pushes
//   read-only s       from read-only on to off, as the upgrade's --json reports it (rolling only)
//   total s           the upgrade's own total time (--json)
// Usage: scripts/bench-upgrade.mjs [--record] [--only N]   (--record writes docs/UPGRADES.md's table)
// Takes the machine-wide lab lock the end-to-end suites take (through their helpers, built in
// dist/) and takes the lab down at the end of each case.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("..", import.meta.url).pathname;
process.chdir(repo);
execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
const { labUp, labDown } = await import(join(repo, "dist/test/e2e/helpers/lab.js"));
const { labClient, makeImage } = await import(join(repo, "dist/test/e2e/helpers/registry.js"));
const { runCli } = await import(join(repo, "dist/test/e2e/helpers/cli.js"));

const CASES = [
  { lab: "2.15", from: "2.15.1", to: "2.15.2", strategy: "rolling" },
  { lab: "2.15", from: "2.15.1", to: "2.15.2", strategy: "stop-all" },
  { lab: "2.13", from: "2.13.4", to: "2.15.2", strategy: "rolling" },
  { lab: "2.13", from: "2.13.4", to: "2.15.2", strategy: "stop-all" },
];
const args = process.argv.slice(2);
const record = args.includes("--record");
const only = args.includes("--only") ? Number(args[args.indexOf("--only") + 1]) : undefined;
const NODES = 3;
const PAUSE_MS = 200;

async function measure(c) {
  const work = mkdtempSync(join(tmpdir(), "hha-bench-upgrade-"));
  const lab = await labUp({ lbs: 2, nodes: NODES, protocol: "https", harborVersion: c.lab, loadBalancing: "haproxy" });
  try {
    const p = await runCli(["provision", lab.inventoryPath], { timeoutMs: 900_000 });
    if (p.code !== 0) throw new Error(`provision: ${p.stdout}\n${p.stderr}`);
    const image = join(work, "image");
    await makeImage(image, "1", "bench-upgrade");
    const tls = ["--dest-cert-dir", join(lab.dir, "tls", "cert-dir")];
    const creds = `admin:${lab.secret("harbor-admin-password")}`;
    const push = (tag) =>
      labClient("vip", [
        "skopeo",
        "copy",
        "--retry-times",
        "0",
        "--format",
        "v2s2",
        ...tls,
        "--dest-creds",
        creds,
        `oci:${image}:1`,
        `docker://registry.lab.test/library/hello:${tag}`,
      ]);
    const first = await push("1");
    if (first.code !== 0) throw new Error(`push: ${first.stderr}`);
    const backups = join(work, "backups");
    mkdirSync(backups, { mode: 0o700 });
    const inv = join(lab.dir, `inventory-${c.to}.yaml`);
    const text = readFileSync(lab.inventoryPath, "utf8")
      .replace(`harbor_version: ${c.from}`, `harbor_version: ${c.to}`)
      .replace(`harbor-offline-installer-v${c.from}-noimages.tgz`, `harbor-offline-installer-v${c.to}-noimages.tgz`);
    writeFileSync(inv, `${text}\nupgrade:\n  backup_dir: ${backups}\n`);

    let stop = false;
    const pulls = { made: 0, failed: 0 };
    const pushes = { made: 0, refused: 0, failed: 0 };
    const sleep = () => new Promise((r) => setTimeout(r, PAUSE_MS));
    const pullLoop = (async () => {
      while (!stop) {
        pulls.made++;
        const dir = join(work, `pull-${pulls.made}`);
        const r = await labClient("vip", [
          "skopeo",
          "copy",
          "--retry-times",
          "0",
          "--src-cert-dir",
          join(lab.dir, "tls", "cert-dir"),
          "--src-creds",
          creds,
          "docker://registry.lab.test/library/hello:1",
          `oci:${dir}:1`,
        ]);
        rmSync(dir, { recursive: true, force: true });
        if (r.code !== 0) pulls.failed++;
        await sleep();
      }
    })();
    const pushLoop = (async () => {
      while (!stop) {
        pushes.made++;
        const r = await push(`loop-${pushes.made}`);
        if (r.code !== 0) {
          if (/read.only/i.test(r.stderr)) pushes.refused++;
          else pushes.failed++;
        }
        await sleep();
      }
    })();
    const u = await runCli(["upgrade", inv, "--strategy", c.strategy, "--json"], { timeoutMs: 900_000 });
    stop = true;
    await Promise.all([pullLoop, pushLoop]);
    if (u.code !== 0) throw new Error(`upgrade: ${u.stdout}\n${u.stderr}`);
    // The one --json shape (docs/report.schema.json): upgrade's own figures are its details.
    const report = JSON.parse(u.stdout).details;
    return { ...c, pulls, pushes, readOnlyS: report.readOnlySeconds, totalS: report.totalSeconds };
  } finally {
    await labDown();
    rmSync(work, { recursive: true, force: true });
  }
}

const rows = [];
for (const [i, c] of CASES.entries()) {
  if (only !== undefined && only !== i + 1) continue;
  process.stderr.write(`bench-upgrade: ${c.from} → ${c.to}, ${c.strategy}\n`);
  const r = await measure(c);
  process.stderr.write(`  ${JSON.stringify(r)}\n`);
  rows.push(r);
}
const table = [
  "| upgrade | strategy | failed pulls | pushes refused (read-only) | other failed pushes | read-only window (s) | total (s) |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.from} → ${r.to} | ${r.strategy} | ${r.pulls.failed} of ${r.pulls.made} | ${r.pushes.refused} of ${r.pushes.made} | ${r.pushes.failed} | ` +
      `${r.readOnlyS === null ? "—" : r.readOnlyS.toFixed(1)} | ${r.totalS.toFixed(1)} |`,
  ),
].join("\n");
process.stdout.write(`${table}\n`);
if (record) {
  const path = join(repo, "docs", "UPGRADES.md");
  const doc = readFileSync(path, "utf8");
  const begin = "<!-- bench-upgrade:begin -->";
  const end = "<!-- bench-upgrade:end -->";
  const at = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (at < 0 || to < 0) throw new Error(`${path} has no ${begin} … ${end} markers`);
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} with \`scripts/bench-upgrade.mjs --record\` (lab: https, 2 load balancers with HAProxy, ${NODES} nodes; a pull and a push through the VIP every ${PAUSE_MS} ms after the last).`;
  writeFileSync(path, `${doc.slice(0, at + begin.length)}\n${stamp}\n\n${table}\n${doc.slice(to)}`);
}

#!/usr/bin/env node
// Runs the end-to-end suites N at a time (default 2), each slot in a network namespace of its
// own with its own lab folder and lab lock, so that every slot's lab has the lab's fixed bridge
// and addresses (198.18.0.0/24) without meeting the others. The suites mostly wait on the lab's
// hosts (a roll, an install, a VIP move): one suite alone keeps this machine's CPUs about a third
// busy. A slot takes the next suite from one queue, longest first; each suite's output is printed
// whole when it ends. Exit 1 when any suite failed.
//
//   scripts/e2e-slots.mjs [--slots N] FILE.test.js...
//
// Runs as root (ip netns). Each slot's lab is taken down and its namespace removed at the end,
// on failure and on Ctrl-C too.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { tmpdir } from "node:os";

// Seconds each suite took on a 2-core machine (2026-12-08): only the order of the queue uses them.
const WEIGHT = {
  adopt: 120,
  harbor: 75,
  provision: 62,
  upgrade: 60,
  reconfigure: 58,
  haproxy: 54,
  "rotate-certs": 50,
  harbor2: 42,
  lab2x: 30,
  "day-two-faults": 28,
  "lab-standins": 25,
};

const args = process.argv.slice(2);
let slots = 2;
if (args[0] === "--slots") {
  slots = Number(args[1]);
  args.splice(0, 2);
}
if (!Number.isInteger(slots) || slots < 1) throw new Error("--slots takes a whole number of at least 1");
const weight = (f) => WEIGHT[basename(f).replace(/\.test\.js$/, "")] ?? 20;
const queue = [...args].sort((a, b) => weight(b) - weight(a));
const root = mkdtempSync(join(tmpdir(), "harbor-ha-e2e-"));
const names = Array.from({ length: Math.min(slots, queue.length) }, (_, i) => `hha-e2e-${process.pid}-${i + 1}`);
const children = new Set();

function inSlot(i, argv, opts = {}) {
  const env = { ...process.env, HARBOR_HA_LAB_DIR: join(root, `lab-${i + 1}`), HARBOR_HA_LAB_LOCK: join(root, `lab-${i + 1}.lock`) };
  return spawn("ip", ["netns", "exec", names[i], ...argv], { env, ...opts });
}

function cleanUp() {
  for (const c of children) c.kill("SIGTERM");
  names.forEach((name, i) => {
    const env = { ...process.env, HARBOR_HA_LAB_DIR: join(root, `lab-${i + 1}`) };
    spawnSync("ip", ["netns", "exec", name, "scripts/lab.sh", "down"], { env, stdio: "ignore" });
    spawnSync("ip", ["netns", "del", name], { stdio: "ignore" });
  });
  rmSync(root, { recursive: true, force: true });
}
process.on("SIGINT", () => {
  cleanUp();
  process.exit(130);
});
process.on("SIGTERM", () => {
  cleanUp();
  process.exit(143);
});

for (const name of names) {
  const add = spawnSync("ip", ["netns", "add", name], { encoding: "utf8" });
  if (add.status !== 0) throw new Error(`ip netns add ${name}: ${add.stderr}`);
  spawnSync("ip", ["-n", name, "link", "set", "lo", "up"]);
}

const failed = [];
async function slot(i) {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const started = Date.now();
    const child = inSlot(i, [process.execPath, "--test", "--test-concurrency=1", "--test-reporter=spec", file], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const out = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => out.push(d));
    const code = await new Promise((r) => child.on("close", (c) => r(c ?? 1)));
    children.delete(child);
    if (code !== 0) failed.push(file);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`--- ${file} (slot ${i + 1}, ${seconds} s, exit ${code}) ---\n${Buffer.concat(out).toString()}`);
  }
}

try {
  await Promise.all(names.map((_, i) => slot(i)));
} finally {
  cleanUp();
}
if (failed.length > 0) {
  process.stdout.write(`e2e: ${failed.length} suite(s) failed: ${failed.join(", ")}\n`);
  process.exit(1);
}

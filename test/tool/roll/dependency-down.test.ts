/**
 * A dependency outage is named at once, not reported as a time-out (issue 19): MariaDB stopped
 * mid-reconfigure made the start-up wait run out its 298 s with "Harbor did not finish starting".
 * The start-up wait and the roll's health gate ask the node's dependencies (database, Redis,
 * shared storage) and stop within a few probes naming the one that is down.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { generationOf } from "../../../src/harbor/generations.js";
import { HarborHaError } from "../../../src/errors.js";
import { waitUntilReady } from "../../../src/execute/wait-step.js";
import type { WaitSession } from "../../../src/execute/wait-step.js";
import { judgeHarborStartup, nodeDependencies, planStartupWait, readDependencies } from "../../../src/plan/startup.js";
import { nodeDependencyProbeCommand } from "../../../src/steps/commands.js";
import type { Command } from "../../../src/shell/command.js";
import { renderShell as render } from "../../../src/shell/command.js";
import type { RunResult } from "../../../src/remote/transport.js";
import { rollBatches } from "../../../src/roll/node-roll.js";
import type { Clock, RollIO } from "../../../src/roll/node-roll.js";
import { inv } from "../../support/example.js";

const STARTING = "== systeminfo\nstatus 502\n== v2\nstatus 502\n== token\nstatus 502\n";
const DB_DOWN = `${STARTING}== deps\ndep\tMariaDB\t10.20.0.5:3306\tclosed\ndep\tRedis\t10.20.0.6:6379\topen\nmount\t/data/registry\tmounted\n`;

test("the node's dependencies: the generation's endpoints and its shared storage's mount points", () => {
  const deps = nodeDependencies(generationOf(inv));
  assert.deepEqual(
    deps.endpoints.map((e) => e.label),
    generationOf(inv)
      .endpoints()
      .map((e) => e.label),
  );
  assert.ok(deps.endpoints.some((e) => e.label === "MariaDB") && deps.endpoints.some((e) => e.label === "Redis"));
  assert.ok(deps.mounts.includes("/data/registry"), `mounts: ${deps.mounts.join(", ")}`);
});

test("the probe, run for real: a port nobody listens on is closed, a listening one open, / is mounted, a plain folder not", async () => {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const open = (server.address() as AddressInfo).port;
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const command = nodeDependencyProbeCommand({
    endpoints: [
      { label: "MariaDB", host: "127.0.0.1", port: closed },
      { label: "Redis", host: "127.0.0.1", port: open },
    ],
    mounts: ["/", "/nonexistent/harbor-ha-probe"],
  });
  // Run asynchronously: the listening server must answer while the probe runs.
  const { spawn } = await import("node:child_process");
  const out = await new Promise<string>((resolve) => {
    const p = spawn("sh", ["-c", render(command, { reveal: true })]);
    let text = "";
    p.stdout.on("data", (d: Buffer) => (text += d.toString()));
    p.on("close", () => resolve(text));
  });
  server.close();
  assert.deepEqual(readDependencies(out), [
    `MariaDB at 127.0.0.1:${closed} does not accept connections`,
    "the shared storage at /nonexistent/harbor-ha-probe is not mounted (or does not answer)",
  ]);
});

test("the start-up probe's judge reads the dependencies: what is down while Harbor is not up", () => {
  assert.deepEqual(judgeHarborStartup(DB_DOWN).down, ["MariaDB at 10.20.0.5:3306 does not accept connections"]);
  assert.deepEqual(judgeHarborStartup(STARTING).down, []);
});

function fakeSession(answers: string[]): WaitSession & { probes: number } {
  const s = {
    probes: 0,
    target: { hostName: "harbor2" } as WaitSession["target"],
    run: async (command: Command): Promise<RunResult> => {
      if (!command.toString().includes(" ps'")) s.probes += 1;
      return { code: 0, signal: null, stdout: answers.shift() ?? DB_DOWN, stderr: "" };
    },
  };
  return s;
}

test("the start-up wait stops within three probes naming MariaDB, not after its 300 s", async () => {
  const a = planStartupWait(generationOf(inv), inv.data.cluster.protocol, "harbor2", 300_000).action;
  assert.ok(a.type === "wait");
  const s = fakeSession([]);
  const t0 = Date.now();
  await assert.rejects(waitUntilReady(s, "wait", { ...a, firstIntervalMs: 5, maxIntervalMs: 10 }), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.match(
      e.message,
      /^harbor2: Harbor cannot start: MariaDB at 10\.20\.0\.5:3306 does not accept connections \(seen from harbor2 3 times in \d+ s\)/,
    );
    assert.match(e.hint ?? "", /run the same command again/);
    return true;
  });
  assert.equal(s.probes, 3);
  assert.ok(Date.now() - t0 < 5_000);
});

test("a dependency down once (a blip) does not stop the wait", async () => {
  const a = planStartupWait(generationOf(inv), inv.data.cluster.protocol, "harbor2", 300_000).action;
  assert.ok(a.type === "wait");
  const UP =
    '== systeminfo\nstatus 200\n== v2\nHTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm="x"\r\n\r\nstatus 401\n== token\nstatus 200\n';
  await waitUntilReady(fakeSession([DB_DOWN, STARTING, DB_DOWN, UP]), "wait", { ...a, firstIntervalMs: 5, maxIntervalMs: 10 });
});

test("the roll's health gate: the node fails, MariaDB is down from it three probes in a row: the gate stops at once naming it; the node stays drained", async () => {
  let t = 0;
  const clock: Clock = { now: () => t, sleep: async (ms) => void (t += ms) };
  const log: string[] = [];
  const io: RollIO = {
    drain: async (n) => void log.push(`drain ${n.name}`),
    apply: async () => [],
    probe: async () => "lb1: check.sh: /api/systeminfo 502",
    dependencies: async () => ["MariaDB at 10.20.0.5:3306 does not accept connections"],
    undrain: async (n) => void log.push(`undrain ${n.name}`),
  };
  const r = await rollBatches([[{ name: "harbor2", address: "10.20.0.22" }]], io, {
    clock,
    gate: { timeoutMs: 300_000, firstIntervalMs: 500, maxIntervalMs: 5_000 },
  });
  assert.equal(r.rolled[0]?.state, "failed");
  assert.match(
    r.rolled[0]?.error ?? "",
    /^health gate: MariaDB at 10\.20\.0\.5:3306 does not accept connections \(seen from harbor2 3 times in a row\); lb1: check\.sh/,
  );
  assert.ok(t < 10_000, `stopped after ${t} ms of the gate's 300 s`);
  assert.deepEqual(log, ["drain harbor2"]);
});

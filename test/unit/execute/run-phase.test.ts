/**
 * One phase over fake hosts: hosts at once, each host's steps in order; a failing host stops
 * its own steps only; a step's deadline and a lost connection name the host and the step;
 * Ctrl-C lets the step under way finish (its file whole) and starts nothing new.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runPhase } from "../../../src/execute/run-phase.js";
import type { RunEvent } from "../../../src/events.js";
import { InterruptedError } from "../../../src/errors.js";
import type { Role } from "../../../src/inventory/model.js";
import { cmd } from "../../../src/shell/command.js";
import { ConnectionLostError, RemoteCommandError, RemoteTimeoutError } from "../../../src/remote/errors.js";
import type { Action, Plan, Step } from "../../../src/steps/types.js";
import { FakeNetwork, writes } from "../../support/fakes/fake-hosts.js";

function run(host: string, title: string, timeoutMs?: number): Step {
  const action: Action = { type: "run", command: cmd("echo", title), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  return { host, phase: "harbor", kind: "service", title, reason: "test", action };
}

function write(host: string, path: string, content: string): Step {
  return {
    host,
    phase: "harbor",
    kind: "file",
    title: `write ${path}`,
    reason: "test",
    action: {
      type: "upload",
      file: { path, content, mode: 0o644, owner: "root", group: "root", sensitive: false, onChange: [], description: "test" },
    },
  };
}

function planOf(steps: Record<string, Step[]>): Plan {
  const role: Role = "harbor-node";
  return { hosts: Object.entries(steps).map(([name, s]) => ({ host: { name, address: `10.0.0.${name.length}`, role }, steps: s })), problems: [] };
}

const threeHosts = () =>
  planOf({
    h1: [write("h1", "/etc/a", "a1"), run("h1", "restart a"), run("h1", "check a")],
    h2: [write("h2", "/etc/a", "a2"), run("h2", "restart a"), run("h2", "check a")],
    h3: [write("h3", "/etc/a", "a3"), run("h3", "restart a"), run("h3", "check a")],
  });

test("each host's steps run in order; a failing host stops its own remaining steps, the others finish", async () => {
  const net = new FakeNetwork();
  net.host("h2").on(cmd("echo", "restart a"), { code: 1, stderr: "a.service failed\n" });
  const events: RunEvent[] = [];
  const pool = net.pool(["h1", "h2", "h3"]);
  const r = await runPhase(
    pool,
    threeHosts(),
    "harbor",
    (e) => events.push(e),
    () => false,
  );

  for (const h of ["h1", "h2", "h3"]) {
    const order = net.calls.filter((c) => c.host === h).map((c) => c.step);
    assert.deepEqual(order, h === "h2" ? ["write /etc/a", "restart a"] : ["write /etc/a", "restart a", "check a"], h);
  }
  assert.deepEqual(r.done.get("h1"), ["write /etc/a", "restart a", "check a"]);
  assert.deepEqual(r.done.get("h2"), ["write /etc/a"]);
  assert.deepEqual([...r.failures.keys()], ["h2"]);
  assert.ok(r.failures.get("h2") instanceof RemoteCommandError);
  const failed = events.find((e) => e.type === "step-done" && !e.ok);
  assert.ok(
    failed && failed.type === "step-done" && failed.host === "h2" && /a\.service failed/.test(failed.error ?? "") && /→ /.test(failed.error ?? ""),
    "the failure is reported with its hint",
  );
  assert.equal(net.host("h3").read("/etc/a"), "a3");
});

test("hosts work at once up to --parallel: one slow host does not hold the others back", async () => {
  const net = new FakeNetwork();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  net.host("h1").on(cmd("echo", "restart a"), async () => {
    await gate;
    return {};
  });
  const pool = net.pool(["h1", "h2", "h3"], { parallel: 3 });
  const running = runPhase(
    pool,
    threeHosts(),
    "harbor",
    () => undefined,
    () => false,
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(net.trace(/check a/), ["h2: check a", "h3: check a"], "h2 and h3 finished while h1 waits");
  release();
  const r = await running;
  assert.equal(r.failures.size, 0);
});

test("a step past its deadline, or on a lost connection, fails that host with the host and the step named", async () => {
  const net = new FakeNetwork();
  net.host("h1").on(cmd("echo", "restart a"), "hang");
  net.host("h2").on(cmd("echo", "restart a"), "drop");
  const plan = planOf({
    h1: [run("h1", "restart a", 100), run("h1", "check a")],
    h2: [run("h2", "restart a"), run("h2", "check a")],
    h3: [run("h3", "restart a")],
  });
  const r = await runPhase(
    net.pool(["h1", "h2", "h3"]),
    plan,
    "harbor",
    () => undefined,
    () => false,
  );
  const timeout = r.failures.get("h1");
  assert.ok(timeout instanceof RemoteTimeoutError);
  assert.equal(timeout.message, 'no answer from h1 for 0.1 s during step "restart a": the command did not finish and was abandoned');
  const lost = r.failures.get("h2");
  assert.ok(lost instanceof ConnectionLostError);
  assert.match(lost.message, /^lost the SSH connection to h2 \(.*\) during step "restart a": the connection was reset$/);
  assert.deepEqual(r.done.get("h3"), ["restart a"]);
  assert.deepEqual(net.trace(/check a/), [], "neither failed host went on");
});

test("Ctrl-C: the write under way finishes whole, no host starts another step, and the stopped hosts say they were interrupted", async () => {
  const net = new FakeNetwork();
  let interrupted = false;
  // Ctrl-C arrives while h1's file is on its way; the write itself completes.
  net.host("h1").on(writes("/etc/a"), () => {
    interrupted = true;
    return "default";
  });
  const pool = net.pool(["h1", "h2", "h3"], { parallel: 1 });
  const r = await runPhase(
    pool,
    threeHosts(),
    "harbor",
    () => undefined,
    () => interrupted,
  );
  assert.deepEqual(net.trace(), ["h1: write /etc/a"], "nothing after the write under way");
  assert.equal(net.host("h1").read("/etc/a"), "a1", "the file is whole");
  assert.deepEqual(r.done.get("h1"), ["write /etc/a"]);
  for (const h of ["h1", "h2", "h3"]) {
    const e = r.failures.get(h);
    assert.ok(e instanceof InterruptedError, h);
    assert.equal(e.exitCode, 130);
  }
  assert.match(r.failures.get("h1")?.message ?? "", /^h1: stopped before "restart a": the run was interrupted \(Ctrl-C\)$/);
});

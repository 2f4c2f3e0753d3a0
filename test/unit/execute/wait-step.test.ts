/** The wait step with a fake session: polls until ready; on the deadline, fails with the last answer and docker-compose ps. */
import { generationOf } from "../../../src/harbor/generations.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntilReady } from "../../../src/execute/wait-step.js";
import type { WaitSession } from "../../../src/execute/wait-step.js";
import { HarborHaError } from "../../../src/errors.js";
import { planStartupWait } from "../../../src/plan/startup.js";
import type { Command } from "../../../src/shell/command.js";
import type { RunResult } from "../../../src/remote/transport.js";
import { inv } from "../../support/example.js";
import { FakeClock } from "../../support/fakes/clock.js";

const UP =
  '== systeminfo\nstatus 200\n== v2\nHTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Bearer realm="x"\r\n\r\nstatus 401\n== token\nstatus 200\n';
const STARTING = "== systeminfo\nstatus 502\n== v2\nstatus 502\n== token\nstatus 502\n";

function fakeSession(
  answers: string[],
  ps = "harbor-ui   /harbor/start.sh   Restarting\nregistry   /entrypoint.sh   Up\n",
): WaitSession & { commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    target: { hostName: "harbor1" } as WaitSession["target"],
    run: async (command: Command): Promise<RunResult> => {
      commands.push(command.toString());
      const stdout = command.toString().includes(" ps'") ? ps : (answers.shift() ?? STARTING);
      return { code: 0, signal: null, stdout, stderr: "" };
    },
  };
}

/** The wait as planned: its intervals (0.5 s growing to 2 s) are the plan's own; the fake clock makes them take no time. */
const action = (timeoutMs: number) => {
  const a = planStartupWait(generationOf(inv), inv.data.cluster.protocol, "harbor1", timeoutMs).action;
  assert.ok(a.type === "wait");
  return a;
};

test("polls until Harbor answers as started, waiting the plan's growing interval between probes", async () => {
  const s = fakeSession([STARTING, STARTING, UP]);
  const clock = new FakeClock();
  await waitUntilReady(s, "wait", action(5_000), clock);
  assert.equal(s.commands.length, 3);
  assert.deepEqual(clock.sleeps, [500, 1_000]);
});

test("the deadline passes: the last answer and docker-compose ps in the error, with what to look at", async () => {
  const s = fakeSession([]);
  const clock = new FakeClock();
  await assert.rejects(waitUntilReady(s, "wait", action(8_000), clock), (e: unknown) => {
    assert.ok(e instanceof HarborHaError);
    assert.match(
      e.message,
      /^harbor1: Harbor did not finish starting within 8 s after install\.sh\n  last seen: \/api\/systeminfo 502; \/v2\/ 502; \/service\/token 502\n  docker-compose ps in Harbor's folder:\n    harbor-ui   \/harbor\/start\.sh   Restarting/,
    );
    assert.match(e.hint ?? "", /\/var\/log\/harbor.*--health-timeout-s/s);
    return true;
  });
  assert.deepEqual(clock.sleeps, [500, 1_000, 2_000, 2_000, 2_000], "no wait beyond the deadline");
  assert.ok(s.commands.at(-1)?.includes("docker-compose -f docker-compose.yml"), "docker-compose ps ran last");
});

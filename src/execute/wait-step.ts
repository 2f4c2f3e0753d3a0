/**
 * A "wait" step: its probe runs on the host until the judge says ready, the interval
 * growing, or the deadline passes; then the step fails with the last answer seen and
 * what the host's diagnose command prints.
 */
import type { Transport } from "../remote/transport.js";
import { tellingLines } from "../remote/errors.js";
import type { Action } from "../steps/types.js";
import { judgeHarborStartup } from "../plan/startup.js";
import type { StartupVerdict } from "../plan/startup.js";
import { HarborHaError } from "../errors.js";
import { pollUntil, realClock } from "../time/poll.js";
import type { Clock } from "../time/poll.js";

type WaitAction = Extract<Action, { type: "wait" }>;

const JUDGES: Record<WaitAction["judge"], (output: string) => StartupVerdict> = {
  "harbor-startup": judgeHarborStartup,
};

/** The session's side this step uses (a fake in tests). */
export type WaitSession = Pick<Transport, "run" | "target">;

/** `clock`: the waits and the deadline (a fake one in tests, so they do not wait real time). */
export async function waitUntilReady(session: WaitSession, title: string, action: WaitAction, clock: Clock = realClock): Promise<void> {
  const judge = JUDGES[action.judge];
  let last = "nothing answered yet";
  const started = clock.now();
  const ready = await pollUntil(
    async () => {
      const r = await session.run(action.probe, { sudo: false, step: title });
      const verdict = judge(`${r.stdout}\n${r.stderr}`);
      last = verdict.detail;
      return verdict.ready ? true : undefined;
    },
    { timeoutMs: action.timeoutMs, firstIntervalMs: action.firstIntervalMs, maxIntervalMs: action.maxIntervalMs },
    clock,
  );
  if (ready) return;
  const host = session.target.hostName;
  const lines = [
    `${host}: Harbor did not finish starting within ${Math.round((clock.now() - started) / 1000)} s after install.sh`,
    `  last seen: ${last}`,
  ];
  if (action.diagnose) {
    const d = await session
      .run(action.diagnose, { sudo: true, step: "docker-compose ps" })
      .catch((e: Error) => ({ stdout: "", stderr: e.message, code: null }));
    const told = tellingLines(`${d.stdout}\n${d.stderr}`, 12);
    if (told.length > 0) lines.push("  docker-compose ps in Harbor's folder:", ...told.map((l) => `    ${l}`));
  }
  throw new HarborHaError(lines.join("\n"), { hint: action.hint });
}

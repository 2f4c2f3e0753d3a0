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

/** Probes in a row that must find a dependency down before the wait stops naming it (one refused connection may be a blip). */
export const DEPENDENCY_STRIKES = 3;

/** Harbor cannot start on the node: what it depends on is down, named. */
export function dependencyDown(host: string, down: readonly string[], ms: number): HarborHaError {
  return new HarborHaError(
    `${host}: Harbor cannot start: ${down.join("; ")} (seen from ${host} ${DEPENDENCY_STRIKES} times in ${Math.round(ms / 1000)} s)`,
    {
      hint: "Bring it back (is the service running on its host? a firewall between?), then run the same command again: it resumes.",
    },
  );
}

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
  const host = session.target.hostName;
  let downStreak = 0;
  const ready = await pollUntil(
    async () => {
      const r = await session.run(action.probe, { sudo: false, step: title });
      const verdict = judge(`${r.stdout}\n${r.stderr}`);
      last = verdict.detail;
      // A dependency down probe after probe: Harbor cannot start until it is back, waiting longer tells nothing more.
      downStreak = verdict.down.length > 0 ? downStreak + 1 : 0;
      if (downStreak >= DEPENDENCY_STRIKES) throw dependencyDown(host, verdict.down, clock.now() - started);
      return verdict.ready ? true : undefined;
    },
    { timeoutMs: action.timeoutMs, firstIntervalMs: action.firstIntervalMs, maxIntervalMs: action.maxIntervalMs },
    clock,
  );
  if (ready) return;
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

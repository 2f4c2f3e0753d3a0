/**
 * After keepalived was (re)started or reloaded on a load balancer: is it still running? A
 * keepalived that exits on a bad value a moment after its init script said "ok" would
 * otherwise leave the VIP to fewer and fewer load balancers while the run reports success.
 */
import type { SshPool } from "../remote/pool.js";
import type { FactQuery } from "../facts/queries.js";
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { HarborHaError } from "../errors.js";
import { gatherAllFacts } from "./facts.js";
import type { EmitEvent } from "../events.js";

/** verifyKeepalivedRunning as a step the operator sees (start, done or failed with the reason and what to do). */
export async function checkKeepalivedStep(pool: SshPool, host: string, emit: EmitEvent): Promise<void> {
  const title = "check that keepalived still runs";
  const started = Date.now();
  emit({ type: "step-start", host, phase: "loadbalancers", title });
  try {
    await verifyKeepalivedRunning(pool, host);
  } catch (e) {
    const hint = e instanceof HarborHaError && e.hint ? `\n→ ${e.hint}` : "";
    emit({ type: "step-done", host, phase: "loadbalancers", title, ok: false, ms: Date.now() - started, error: `${(e as Error).message}${hint}` });
    throw e;
  }
  emit({ type: "step-done", host, phase: "loadbalancers", title, ok: true, ms: Date.now() - started });
}

/** keepalived exits within a second or two of a start it cannot complete: look this long after it. */
const SETTLE_MS = 1500;

export async function keepalivedRunsOn(pool: SshPool, host: string): Promise<boolean> {
  const r = await gatherAllFacts(pool, new Map([[host, [{ kind: "keepalived" } as FactQuery]]]));
  return r.facts.get(host)?.keepalived?.running === true;
}

/** Throws, naming the host and quoting keepalived's last log lines, unless keepalived runs there a moment after the change. */
export async function verifyKeepalivedRunning(
  pool: SshPool,
  host: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  // Look after a moment, once: a keepalived that cannot finish starting (or had not written its
  // pidfile yet) has settled by then, and its last words have reached the log.
  await sleep(SETTLE_MS);
  const running = await keepalivedRunsOn(pool, host);
  if (running) return;
  const session = await pool.session(host);
  const log = await session
    .run(keepalivedLogCommand(), { sudo: true, step: "keepalived's last log lines" })
    // The newest lines: keepalived says why it stopped last.
    .then((r) =>
      `${r.stdout}\n${r.stderr}`
        .split("\n")
        .map((l) => l.trimEnd())
        .filter(Boolean)
        .slice(-8),
    )
    .catch(() => [] as string[]);
  throw new HarborHaError(
    `${host}: keepalived is not running after its configuration was applied` +
      `${log.length > 0 ? `; its last log lines:\n    ${log.join("\n    ")}` : ""}`,
    {
      hint:
        "Nothing further was changed on the other load balancers. " +
        "Fix the cause (keepalived's log on that host says it: " +
        "a bad daemon option or configuration value), then run again.",
    },
  );
}

/** The journal where it holds keepalived's lines (an empty journal says "-- No entries --"), else syslog. */
export function keepalivedLogCommand(): Command {
  return cmd(
    "sh",
    "-c",
    "journalctl -q -u keepalived -n 15 --no-pager 2>/dev/null | grep -v '^-- ' | grep . " +
      "|| grep -i keepalived /var/log/syslog 2>/dev/null | tail -n 15",
  );
}

/**
 * After keepalived was (re)started or reloaded on a load balancer: is it still running? A
 * keepalived that exits on a bad value a moment after its init script said "ok" would
 * otherwise leave the VIP to fewer and fewer load balancers while the run reports success.
 * The plan's "check that keepalived still runs" step (plan/loadbalancer.ts) runs this.
 */
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import type { Transport } from "../remote/transport.js";
import { HarborHaError } from "../errors.js";

/** keepalived exits within a second or two of a start it cannot complete: look this long after it. */
const SETTLE_S = 1.5;
/** The check's exit status when keepalived does not run (its log lines follow on stdout). */
const NOT_RUNNING_EXIT = 3;

/**
 * Looks once, after a moment, at the process keepalived's pidfile names (as facts.sh does); when
 * it does not run, prints keepalived's newest log lines (the journal where it holds them, else
 * syslog) and exits NOT_RUNNING_EXIT.
 */
export function keepalivedRunningCheckCommand(): Command {
  const script = [
    'sleep "$1"',
    "p=$(head -n 1 /run/keepalived.pid 2>/dev/null || true)",
    'if [ -n "$p" ] && grep -q keepalived "/proc/$p/comm" 2>/dev/null && ! grep -q "^State:[[:space:]]*Z" "/proc/$p/status" 2>/dev/null; then exit 0; fi',
    "{ journalctl -q -u keepalived -n 15 --no-pager 2>/dev/null | grep -v '^-- ' | grep . " +
      "|| grep -i keepalived /var/log/syslog 2>/dev/null | tail -n 15; } 2>/dev/null",
    `exit ${NOT_RUNNING_EXIT}`,
  ].join("\n");
  return cmd("sh", "-c", script, "sh", String(SETTLE_S));
}

/** Throws, naming the host and quoting keepalived's last log lines, unless keepalived runs there a moment after the change. */
export async function checkKeepalivedRunning(session: Transport, step: string): Promise<void> {
  const r = await session.runChecked(keepalivedRunningCheckCommand(), { sudo: true, step, okExitCodes: [0, NOT_RUNNING_EXIT] });
  if (r.code === 0) return;
  // The newest lines: keepalived says why it stopped last.
  const log = r.stdout
    .split("\n")
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-8);
  throw new HarborHaError(
    `${session.target.hostName}: keepalived is not running after its configuration was applied` +
      `${log.length > 0 ? `; its last log lines:\n    ${log.join("\n    ")}` : ""}`,
    {
      hint:
        "Nothing further was changed on the other load balancers. " +
        "Fix the cause (keepalived's log on that host says it: " +
        "a bad daemon option or configuration value), then run again.",
    },
  );
}

/**
 * After keepalived was (re)started or reloaded on a load balancer: is it still running? A
 * keepalived that exits on a bad value a moment after its init script said "ok" would
 * otherwise leave the VIP to fewer and fewer load balancers while the run reports success.
 */
import type { SshPool } from "../remote/pool.js";
import type { FactQuery } from "../facts/queries.js";
import { cmd } from "../remote/command.js";
import type { Command } from "../remote/command.js";
import { HarborHaError } from "../errors.js";
import { tellingLines } from "../remote/errors.js";
import { gatherAllFacts } from "./gather.js";

/** keepalived exits within a second or two of a start it cannot complete: look twice, this far apart. */
const SETTLE_MS = 1500;

export async function keepalivedRunsOn(pool: SshPool, host: string): Promise<boolean> {
  const r = await gatherAllFacts(pool, new Map([[host, [{ kind: "keepalived" } as FactQuery]]]));
  return r.facts.get(host)?.keepalived?.running === true;
}

/** Throws, naming the host and quoting keepalived's last log lines, unless keepalived runs there now and still does a moment later. */
export async function verifyKeepalivedRunning(pool: SshPool, host: string, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
  let running = await keepalivedRunsOn(pool, host);
  if (running) {
    await sleep(SETTLE_MS);
    running = await keepalivedRunsOn(pool, host);
  }
  if (running) return;
  const session = await pool.session(host);
  const log = await session
    .run(keepalivedLogCommand(), { sudo: true, step: "keepalived's last log lines" })
    .then((r) => tellingLines(`${r.stdout}\n${r.stderr}`, 10))
    .catch(() => [] as string[]);
  throw new HarborHaError(`${host}: keepalived is not running after its configuration was applied${log.length > 0 ? `; its last log lines:\n    ${log.join("\n    ")}` : ""}`, {
    hint: "Nothing further was changed on the other load balancers. Fix the cause (keepalived's log on that host says it: a bad daemon option or configuration value), then run again.",
  });
}

/** The journal where there is one, else syslog: keepalived's own lines only. */
export function keepalivedLogCommand(): Command {
  return cmd("sh", "-c", "journalctl -u keepalived -n 15 --no-pager 2>/dev/null | grep . || grep -i keepalived /var/log/syslog 2>/dev/null | tail -n 15");
}

/**
 * The life cycle every run that changes the cluster shares (provision, reconfigure and
 * rotate-certs, the failover drill), written once: the run's SSH pool, closed at the end
 * whatever happens; after the read-only preflight a last Ctrl-C check, then the cluster lock
 * (a dead run's broken with --force-unlock, saying whose); the audit lines of what changed;
 * and the release. Audit lines and the release are best effort: their failures are warnings
 * and can never replace the run's own outcome or the error that stopped it.
 */
import type { Inventory } from "../inventory/model.js";
import type { SshPool } from "../remote/pool.js";
import { acquireClusterLock, describeBrokenLocks, releaseReporting } from "../lock/cluster-lock.js";
import type { ClusterLock } from "../lock/cluster-lock.js";
import { appendAuditLines } from "../lock/audit.js";
import { interruptedBeforeChanges } from "./interrupt.js";
import type { EmitEvent } from "../events.js";

export interface ClusterRunSettings {
  /** The command, as the lock's owner file and the audit lines name it. */
  command: string;
  /** --force-unlock: break a cluster lock left by a dead run. */
  forceUnlock: boolean;
  isInterrupted: () => boolean;
  /** The read-only part's name in the message of a Ctrl-C that came before the lock (default "preflight"). */
  preflight?: string;
  /** Told whose lock --force-unlock broke. */
  notice: (message: string) => void;
  /** An audit line not written, a lock not released: warnings, never the run's error. */
  warn: (message: string, host?: string) => void;
}

/** A run's notice and warnings as warning notes in its event stream. */
export function warningsTo(emit: EmitEvent): Pick<ClusterRunSettings, "notice" | "warn"> {
  const warn = (message: string, host?: string) => emit({ type: "note", level: "warn", message, ...(host === undefined ? {} : { host }) });
  return { notice: (message) => warn(message), warn };
}

/** Where a run says what it changed on which host; one line per host in its audit log. */
export interface AuditTrail {
  /** Changes made on `host`: its audit line is written when the changing part ends, failed or not. */
  record(host: string, titles: readonly string[]): void;
  /**
   * `host`'s audit line, written now (a roll audits each host as it finishes, so a run killed
   * later keeps the line); through `pool` when the host is not one of the run's (a removed node).
   */
  writeNow(host: string, titles: readonly string[], pool?: SshPool): Promise<void>;
}

export interface ClusterRunScope {
  pool: SshPool;
  /**
   * The part that writes, after the read-only preflight: refused with exit 130 when Ctrl-C came,
   * run under the cluster lock (`lock: false`: a run with nothing to change needs none), then
   * the audit lines recorded and the release.
   */
  changing<T>(work: (audit: AuditTrail) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
}

/** Runs `body` with the run's pool, which it owns from here: closed when `body` ends, however it ends. */
export async function withClusterRun<T>(
  pool: SshPool,
  inv: Inventory,
  settings: ClusterRunSettings,
  body: (run: ClusterRunScope) => Promise<T>,
): Promise<T> {
  try {
    return await body({ pool, changing: (work, opts) => changing(pool, inv, settings, work, opts?.lock ?? true) });
  } finally {
    await pool.closeAll();
  }
}

async function changing<T>(pool: SshPool, inv: Inventory, s: ClusterRunSettings, work: (audit: AuditTrail) => Promise<T>, lock: boolean): Promise<T> {
  if (s.isInterrupted()) throw interruptedBeforeChanges(s.preflight ?? "preflight");
  let held: ClusterLock | undefined;
  if (lock) {
    held = await acquireClusterLock(pool, inv, { command: s.command, force: s.forceUnlock });
    for (const line of describeBrokenLocks(held)) s.notice(line);
  }
  const trail = new Trail(pool, s);
  try {
    return await work(trail);
  } finally {
    // Neither throws: the run's outcome (or its error) stays what the operator sees.
    await trail.flush();
    if (held) await releaseReporting(held, (message) => s.warn(message));
  }
}

class Trail implements AuditTrail {
  private readonly recorded = new Map<string, string[]>();

  constructor(
    private readonly pool: SshPool,
    private readonly settings: ClusterRunSettings,
  ) {}

  record(host: string, titles: readonly string[]): void {
    if (titles.length > 0) this.recorded.set(host, [...(this.recorded.get(host) ?? []), ...titles]);
  }

  async writeNow(host: string, titles: readonly string[], pool: SshPool = this.pool): Promise<void> {
    await this.write(pool, new Map([[host, titles]]));
  }

  async flush(): Promise<void> {
    await this.write(this.pool, this.recorded);
    this.recorded.clear();
  }

  private async write(pool: SshPool, changes: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const failures = await appendAuditLines(pool, this.settings.command, changes);
    for (const [host, e] of failures) this.settings.warn(`${host}: could not append to the audit log: ${e.message}`, host);
  }
}

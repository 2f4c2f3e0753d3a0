/**
 * Without a terminal (CI, a pipe, a log file) nothing moves while a long step runs — install.sh
 * takes minutes on real nodes. This keeps the steps under way and says which are due a "still
 * running" line: first after FIRST_MS, then every EVERY_MS. Pure: the caller gives the clock.
 */
export const FIRST_MS = 5_000;
export const EVERY_MS = 30_000;

interface Running {
  host: string;
  title: string;
  startedMs: number;
  nextMs: number;
}

export class SlowSteps {
  private readonly running = new Map<string, Running>();

  start(host: string, title: string, nowMs: number): void {
    this.running.set(`${host}\0${title}`, { host, title, startedMs: nowMs, nextMs: nowMs + FIRST_MS });
  }

  done(host: string, title: string): void {
    this.running.delete(`${host}\0${title}`);
  }

  /** The lines due at nowMs, `  ..   host: step (running for 35 s)`; each step is due again EVERY_MS later. */
  due(nowMs: number): string[] {
    const lines: string[] = [];
    for (const r of this.running.values()) {
      if (nowMs < r.nextMs) continue;
      lines.push(`  ..   ${r.host}: ${r.title} (running for ${Math.round((nowMs - r.startedMs) / 1000)} s)`);
      r.nextMs = nowMs + EVERY_MS;
    }
    return lines;
  }
}

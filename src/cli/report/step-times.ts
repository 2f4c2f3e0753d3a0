/**
 * How long each step took, per host, from the run's own step-done events: --json reports it
 * beside each planned step (scripts/bench reads the installer's share of a full run from it).
 */
import type { RunEvent } from "../../events.js";

export class StepTimes {
  private readonly byHost = new Map<string, Map<string, number[]>>();
  private readonly okByHost = new Map<string, Map<string, boolean[]>>();

  record(e: RunEvent): void {
    if (e.type !== "step-done") return;
    const titles = this.byHost.get(e.host) ?? new Map<string, number[]>();
    this.byHost.set(e.host, titles);
    titles.set(e.title, [...(titles.get(e.title) ?? []), e.ms]);
    const oks = this.okByHost.get(e.host) ?? new Map<string, boolean[]>();
    this.okByHost.set(e.host, oks);
    oks.set(e.title, [...(oks.get(e.title) ?? []), e.ok]);
  }

  /** Whether each of `titles` on `host` ran and passed, in order; undefined for a step that did not run. */
  oks(host: string, titles: readonly string[]): Array<boolean | undefined> {
    const seen = new Map<string, number>();
    return titles.map((t) => {
      const i = seen.get(t) ?? 0;
      seen.set(t, i + 1);
      return this.okByHost.get(host)?.get(t)?.[i];
    });
  }

  /** The milliseconds of each of `titles` on `host`, in order (a title planned twice took two times); undefined for a step that did not run. */
  of(host: string, titles: readonly string[]): Array<number | undefined> {
    const seen = new Map<string, number>();
    return titles.map((t) => {
      const i = seen.get(t) ?? 0;
      seen.set(t, i + 1);
      return this.byHost.get(host)?.get(t)?.[i];
    });
  }
}

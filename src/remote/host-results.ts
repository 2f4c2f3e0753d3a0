/**
 * Work done on several hosts at once (SshPool.forEachHost) comes back as settled promises in
 * host order. These turn them into values and failures by host, so that no failure can be
 * dropped on the way (every rejected one is in `failures`, as an Error). Pure.
 */
import { HarborHaError } from "../errors.js";

export interface HostResults<T> {
  values: Map<string, T>;
  failures: Map<string, Error>;
}

export function byHost<T>(hosts: readonly string[], settled: ReadonlyArray<PromiseSettledResult<T>>): HostResults<T> {
  if (hosts.length !== settled.length) throw new Error(`harbor-ha: ${settled.length} results for ${hosts.length} hosts`);
  const values = new Map<string, T>();
  const failures = new Map<string, Error>();
  settled.forEach((s, i) => {
    const host = hosts[i] as string;
    if (s.status === "fulfilled") values.set(host, s.value);
    else failures.set(host, s.reason instanceof Error ? s.reason : new Error(String(s.reason)));
  });
  return { values, failures };
}

/** Throws one error naming every host whose work failed, with its reason; nothing when all succeeded. */
export function throwIfAnyFailed(hosts: readonly string[], settled: ReadonlyArray<PromiseSettledResult<unknown>>, what: string): void {
  const { failures } = byHost(hosts, settled);
  if (failures.size === 0) return;
  const lines = [...failures].map(([h, e]) => `${h}: ${e.message}`);
  throw new HarborHaError(`${what}:\n  ${lines.join("\n  ")}`, {
    hint: "Check that every load balancer is reachable, then run the same command again to resume.",
  });
}

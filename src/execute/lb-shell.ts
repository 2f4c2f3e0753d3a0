/**
 * The load balancers as a load-balancing mode reaches them at run time (lb/mode.ts LbShell):
 * one command on each at once over this run's sessions, as root, answered per host.
 */
import type { LbShell } from "../lb/mode.js";
import type { SshPool } from "../remote/pool.js";
import { throwIfAnyFailed } from "../remote/host-results.js";

export function lbShellOf(pool: SshPool, lbNames: readonly string[]): LbShell {
  return {
    lbNames,
    async runOnEach(command, step, what) {
      const settled = await pool.forEachHost(lbNames, async (s, lb) => {
        const c = command(lb);
        return c === undefined ? "" : (await s.runChecked(c, { sudo: true, step })).stdout;
      });
      throwIfAnyFailed(lbNames, settled, what);
      return new Map(settled.map((r, i) => [lbNames[i] as string, r.status === "fulfilled" ? r.value : ""]));
    },
    async tryOnEach(command, step) {
      const settled = await pool.forEachHost(lbNames, (s) => s.run(command, { sudo: true, step }));
      return new Map(settled.map((r, i) => [lbNames[i] as string, r.status === "fulfilled" && r.value.code === 0 ? r.value.stdout : undefined]));
    },
    async writeOnEach(file, step, what) {
      const settled = await pool.forEachHost(lbNames, (s) => s.uploadAtomic({ ...file, owner: "root", group: "root", step }));
      throwIfAnyFailed(lbNames, settled, what);
    },
  };
}

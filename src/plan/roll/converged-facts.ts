/**
 * A host's facts as a stage that converged it leaves them: every desired file, directory,
 * package and user in place, no change pending, its services running. A later stage of the same
 * run is planned against these (the roll's final load-balancer stage after the first), so the
 * whole run is one plan, shown before anything changes. Pure.
 */
import type { DesiredHost } from "../../desired/types.js";
import { sha256Hex } from "../../facts/queries.js";
import type { HostFacts } from "../../facts/types.js";
import { LB_SYSCTLS } from "../loadbalancer.js";

export function convergedFacts(f: HostFacts, d: DesiredHost): HostFacts {
  const files = { ...f.files };
  for (const file of d.files)
    files[file.path] = {
      present: true,
      mode: file.mode,
      owner: file.owner,
      group: file.group,
      sha256: sha256Hex(file.content),
      ...(file.sensitive ? {} : { content: file.content }),
    };
  const dirs = { ...f.dirs };
  for (const dir of d.directories) dirs[dir.path] = { present: true, mode: dir.mode, owner: dir.owner, group: dir.group };
  const runsHaproxy = d.files.some((file) => file.check === "haproxy");
  return {
    ...f,
    files,
    dirs,
    packages: { ...f.packages, ...Object.fromEntries(d.packages.map((p) => [p, true])) },
    users: { ...f.users, ...Object.fromEntries(d.users.map((u) => [u, true])) },
    pending: {},
    ...(d.host.role === "loadbalancer"
      ? {
          sysctls: { ...f.sysctls, ...LB_SYSCTLS },
          keepalived: { ...f.keepalived, running: true },
          ...(runsHaproxy ? { haproxy: { ...f.haproxy, running: true } } : {}),
        }
      : {}),
  };
}

/**
 * HAProxy's service on a load balancer, after its files: started when it does not run,
 * reloaded (established connections kept, drained nodes kept drained) only when haproxy.cfg or
 * the CA file it reads changed; either way, then checked to still run. Pure.
 */
import type { Handler } from "../../desired/types.js";
import type { HostFacts } from "../../facts/types.js";
import { serviceCommand } from "../../steps/commands.js";
import { pendingReason } from "../../steps/pending.js";
import type { Step } from "../../steps/types.js";
import { haproxyReloadCommand, haproxyRunningCheckCommand } from "./commands.js";

const START_HAPROXY = "start haproxy";
const RELOAD_HAPROXY = "reload haproxy (established connections are kept)";
const CHECK_HAPROXY = "check that haproxy still runs and answers";

export function planHaproxyService(host: string, f: HostFacts, handlers: ReadonlySet<Handler>, pending: ReadonlySet<Handler>): Step[] {
  const phase = "loadbalancers" as const;
  const change: Step | undefined =
    f.haproxy?.running !== true
      ? {
          host,
          phase,
          kind: "service",
          role: "lb-service",
          title: START_HAPROXY,
          reason: "HAProxy is not running",
          action: { type: "run", command: serviceCommand(f.init, "haproxy", "start") },
        }
      : handlers.has("reload-haproxy") || pending.has("reload-haproxy")
        ? {
            host,
            phase,
            kind: "service",
            role: "lb-service",
            title: RELOAD_HAPROXY,
            reason: handlers.has("reload-haproxy")
              ? "haproxy.cfg or the CA file its health check reads changed"
              : pendingReason("reload-haproxy", f.pending["reload-haproxy"]),
            action: { type: "run", command: haproxyReloadCommand(f.init) },
          }
        : undefined;
  if (!change) return [];
  const hint = "Nothing further was changed on this load balancer. Fix the cause (HAProxy's log on that host says it), then run again.";
  // The change took effect once HAProxy is seen running after it: the check clears the pending marker.
  return [
    change,
    {
      host,
      phase,
      kind: "check",
      role: "lb-service",
      title: CHECK_HAPROXY,
      reason: `after: ${change.title}`,
      action: { type: "run", command: haproxyRunningCheckCommand(), hint },
      applies: ["reload-haproxy"],
    },
  ];
}

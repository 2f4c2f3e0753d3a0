/** Steps for a keepalived load balancer: files, then the handlers they trigger. Pure. */
import type { Redactor } from "../inventory/secret.js";
import type { DesiredHost, Handler } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { applySysctlCommand, serviceCommand } from "../steps/commands.js";
import { haproxyReloadCommand, haproxyRunningCheckCommand } from "../lb/haproxy/commands.js";
import { HAPROXY_CFG_PATH } from "../lb/haproxy/render.js";
import { KEEPALIVED_CONF_PATH } from "../render/loadbalancer.js";
import { planDirectories, planFiles, planPackages, planUsers } from "../steps/host-steps.js";
import { pendingOn, pendingReason } from "../steps/pending.js";
import type { Step } from "../steps/types.js";

export const SYSCTL_PATH = "/etc/sysctl.d/90-harbor-ha.conf";
/** What the sysctl drop-in sets; checked live too, since another drop-in may override it. */
export const LB_SYSCTLS: Record<string, string> = { "net.ipv4.ip_forward": "1", "net.ipv4.ip_nonlocal_bind": "1" };

export function planLoadBalancer(d: DesiredHost, f: HostFacts, redactor: Redactor): Step[] {
  const host = d.host.name;
  const phase = "loadbalancers" as const;
  // keepalived.conf goes last: `keepalived -t` checks it against check.sh and the script user
  // (and haproxy.cfg, rendered after the CA file it names, keeps its place before it).
  const ordered = [...d.files].sort((a, b) => Number(a.path === KEEPALIVED_CONF_PATH) - Number(b.path === KEEPALIVED_CONF_PATH));
  const files = planFiles(ordered, host, f, phase, redactor);
  const steps: Step[] = [...planPackages(d, f, phase), ...planUsers(d, f, phase), ...planDirectories(d.directories, host, f, phase), ...files.steps];

  const pending = pendingOn(f);
  const sysctlDrift = Object.entries(LB_SYSCTLS)
    .filter(([k, v]) => f.sysctls[k] !== v)
    .map(([k]) => k);
  const sysctlReason = files.handlers.has("apply-sysctl")
    ? "the sysctl drop-in changed"
    : pending.has("apply-sysctl")
      ? pendingReason("apply-sysctl", f.pending["apply-sysctl"])
      : sysctlDrift.length > 0
        ? `${sysctlDrift.join(", ")} not set`
        : undefined;
  if (sysctlReason) {
    steps.push({
      host,
      phase,
      kind: "service",
      title: `apply ${SYSCTL_PATH}`,
      reason: sysctlReason,
      action: { type: "run", command: applySysctlCommand(SYSCTL_PATH) },
      applies: ["apply-sysctl"],
    });
  }

  // HAProxy before keepalived: keepalived's vrrp_script gives the VIP up while HAProxy does not answer.
  if (d.files.some((file) => file.path === HAPROXY_CFG_PATH)) steps.push(...planHaproxyService(d, f, files.handlers, pending));

  const running = f.keepalived?.running === true;
  // A start or restart reads the configuration and the daemon options afresh: it applies both.
  const service = (action: "start" | "restart" | "reload", reason: string): Step => ({
    host,
    phase,
    kind: "service",
    title: `${action} keepalived`,
    reason,
    action: { type: "run", command: serviceCommand(f.init, "keepalived", action) },
    applies: action === "reload" ? ["reload-keepalived"] : ["restart-keepalived", "reload-keepalived"],
  });
  if (!running) steps.push(service("start", "keepalived is not running"));
  else if (files.handlers.has("restart-keepalived")) steps.push(service("restart", "its daemon options changed (a reload does not re-read them)"));
  else if (pending.has("restart-keepalived")) steps.push(service("restart", pendingReason("restart-keepalived", f.pending["restart-keepalived"])));
  else if (files.handlers.has("reload-keepalived")) steps.push(service("reload", "keepalived.conf changed"));
  else if (pending.has("reload-keepalived")) steps.push(service("reload", pendingReason("reload-keepalived", f.pending["reload-keepalived"])));
  return steps;
}

const START_HAPROXY = "start haproxy";
const RELOAD_HAPROXY = "reload haproxy (established connections are kept)";
const CHECK_HAPROXY = "check that haproxy still runs and answers";

/** HAProxy's start, reload and the check after them: a plan limited to files (rotate-certs) keeps them, as the CA file they re-read changes. */
export function isHaproxyServiceStep(step: Step): boolean {
  return step.role === "haproxy-service";
}

/**
 * Start HAProxy when it does not run; reload it (established connections kept, drained nodes
 * kept drained) only when haproxy.cfg or its CA file changed; either way, then check that it still runs.
 */
function planHaproxyService(d: DesiredHost, f: HostFacts, handlers: ReadonlySet<Handler>, pending: ReadonlySet<Handler>): Step[] {
  const host = d.host.name;
  const phase = "loadbalancers" as const;
  const change: Step | undefined =
    f.haproxy?.running !== true
      ? {
          host,
          phase,
          kind: "service",
          role: "haproxy-service",
          title: START_HAPROXY,
          reason: "HAProxy is not running",
          action: { type: "run", command: serviceCommand(f.init, "haproxy", "start") },
        }
      : handlers.has("reload-haproxy") || pending.has("reload-haproxy")
        ? {
            host,
            phase,
            kind: "service",
            role: "haproxy-service",
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
      role: "haproxy-service",
      title: CHECK_HAPROXY,
      reason: `after: ${change.title}`,
      action: { type: "run", command: haproxyRunningCheckCommand(), hint },
      applies: ["reload-haproxy"],
    },
  ];
}

/** Steps for a keepalived load balancer: files, then the handlers they trigger. Pure. */
import type { Redactor } from "../inventory/secret.js";
import type { DesiredHost } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { applySysctlCommand, serviceCommand } from "../steps/commands.js";
import type { LoadBalancingMode } from "../lb/mode.js";
import { KEEPALIVED_CONF_PATH, SYSCTL_PATH } from "../desired/paths.js";
import { planDirectories, planFiles, planPackages, planUsers } from "../steps/host-steps.js";
import { pendingOn, pendingReason } from "../steps/pending.js";
import type { Step } from "../steps/types.js";

/** What the sysctl drop-in sets; checked live too, since another drop-in may override it. */
export const LB_SYSCTLS: Record<string, string> = { "net.ipv4.ip_forward": "1", "net.ipv4.ip_nonlocal_bind": "1" };

export function planLoadBalancer(mode: LoadBalancingMode, d: DesiredHost, f: HostFacts, redactor: Redactor): Step[] {
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

  // The balancing daemon before keepalived: keepalived's vrrp_script gives the VIP up while it does not answer.
  steps.push(...mode.lbServiceSteps(host, f, files.handlers, pending));

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
  const change = !running
    ? service("start", "keepalived is not running")
    : files.handlers.has("restart-keepalived")
      ? service("restart", "its daemon options changed (a reload does not re-read them)")
      : pending.has("restart-keepalived")
        ? service("restart", pendingReason("restart-keepalived", f.pending["restart-keepalived"]))
        : files.handlers.has("reload-keepalived")
          ? service("reload", "keepalived.conf changed")
          : pending.has("reload-keepalived")
            ? service("reload", pendingReason("reload-keepalived", f.pending["reload-keepalived"]))
            : undefined;
  if (change)
    steps.push(change, {
      host,
      phase,
      kind: "check",
      title: "check that keepalived still runs",
      reason: `after: ${change.title} (keepalived may exit a moment after its init script said ok)`,
      action: { type: "check-keepalived" },
    });
  return steps;
}

/** The balancing daemon's start, reload and the check after them: a plan limited to files (rotate-certs) keeps them, as the CA file they re-read changes. */
export function isLbServiceStep(step: Step): boolean {
  return step.role === "lb-service";
}

/**
 * Certificate rotation, pure parts: which steps touch the TLS material, and the CA the
 * load balancers trust while nodes roll (old and new together, so that nodes not yet
 * rolled keep passing check.sh).
 */
import { LB_CA_PATH } from "../../desired/paths.js";
import type { DesiredHost } from "../../desired/types.js";
import type { HostFacts } from "../../facts/types.js";
import { isLbServiceStep } from "../loadbalancer.js";
import { inPhaseOrder } from "../../steps/types.js";
import type { Plan, Step } from "../../steps/types.js";
import { isInstallRun, isSharedStorageCheck } from "../shared-storage.js";

/** The TLS files, their ha/ copies among them (prepare --ha would put the old ones back from ha/). */
function isTlsFileStep(s: Step): boolean {
  return s.role === "tls-file";
}

/** Harbor's installer run, the wait for Harbor's start-up and the stamp: what makes a node serve new TLS files. */
function isInstallStep(s: Step): boolean {
  return s.role === "install-run" || s.role === "startup-wait" || s.role === "install-stamp";
}

/**
 * The plan limited to the TLS files (and, on a node whose TLS files change, Harbor's installer
 * run), with the shared-storage check that must come before any installer run.
 */
export function limitPlanToTls(plan: Plan): Plan {
  const hosts = plan.hosts.map((h) => {
    const tls = h.steps.filter(isTlsFileStep);
    // The balancing daemon (HAProxy) reads the CA file only when it starts or reloads: its reload stays with it.
    return { host: h.host, steps: tls.length === 0 ? [] : h.steps.filter((s) => isTlsFileStep(s) || isInstallStep(s) || isLbServiceStep(s)) };
  });
  if (!hosts.some((h) => h.steps.some(isInstallRun))) return { problems: plan.problems, hosts };
  return {
    problems: plan.problems,
    hosts: hosts.map((h, i) => ({ host: h.host, steps: inPhaseOrder([...(plan.hosts[i]?.steps.filter(isSharedStorageCheck) ?? []), ...h.steps]) })),
  };
}

/**
 * The load balancer as it should be while nodes roll: when its CA changes, it trusts the new
 * CA and the one it has now, so the nodes still serving the old certificate stay healthy.
 */
export function withTransitionCa(d: DesiredHost, facts: HostFacts | undefined): DesiredHost {
  const current = facts?.files[LB_CA_PATH]?.content;
  if (current === undefined) return d;
  return {
    ...d,
    files: d.files.map((f) => {
      if (f.path !== LB_CA_PATH || current.includes(f.content.trim()))
        return current.includes(f.content.trim()) && f.path === LB_CA_PATH ? { ...f, content: current } : f;
      return {
        ...f,
        content: `${f.content.trimEnd()}\n${current.trimEnd()}\n`,
        description: `${f.description} (new and previous, while nodes roll)`,
      };
    }),
  };
}

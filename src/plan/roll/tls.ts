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
import { pendingOn } from "../../steps/pending.js";

/** The TLS files, their ha/ copies among them (prepare --ha would put the old ones back from ha/). */
function isTlsFileStep(s: Step): boolean {
  return s.role === "tls-file";
}

/** Harbor's installer run, the wait for Harbor's start-up and the stamp: what makes a node serve new TLS files. */
function isInstallStep(s: Step): boolean {
  return s.role === "install-run" || s.role === "startup-wait" || s.role === "install-stamp";
}

/**
 * The plan limited to the TLS files and what makes a host use them (a node's installer run, the
 * start-up wait and the stamp; a load balancer's HAProxy reload), with the shared-storage check
 * that must come before any installer run. A host keeps those steps when one of its TLS files
 * changes, or when it holds a pending-change marker they clear: an earlier run (rotate-certs
 * killed after the new files were written, before install.sh finished) wrote the files, which now
 * match, but the host still serves the old ones. The marker is observed state, written before the
 * first file and cleared only by the step that applies it (steps/pending.ts), so it alone tells
 * such a host from one already done. A marker an interrupted reconfigure left is finished the
 * same way: the installer then runs with the files that run wrote, as any later run would.
 */
export function limitPlanToTls(plan: Plan, facts: ReadonlyMap<string, HostFacts>): Plan {
  const hosts = plan.hosts.map((h) => ({ host: h.host, steps: limitStepsToTls(h.steps, facts.get(h.host.name)) }));
  if (!hosts.some((h) => h.steps.some(isInstallRun))) return { problems: plan.problems, hosts };
  return {
    problems: plan.problems,
    hosts: hosts.map((h, i) => ({ host: h.host, steps: inPhaseOrder([...(plan.hosts[i]?.steps.filter(isSharedStorageCheck) ?? []), ...h.steps]) })),
  };
}

/** One host's steps limited to its TLS files and, when they change or their change is still pending, the steps that apply them. */
export function limitStepsToTls(steps: readonly Step[], f: HostFacts | undefined): Step[] {
  // The balancing daemon (HAProxy) reads the CA file only when it starts or reloads: its reload stays with it.
  const applying = steps.filter((s) => isInstallStep(s) || isLbServiceStep(s));
  const pending = f === undefined ? new Set<string>() : pendingOn(f);
  const unfinished = applying.some((s) => (s.applies ?? []).some((h) => pending.has(h)));
  if (!steps.some(isTlsFileStep) && !unfinished) return [];
  return steps.filter((s) => isTlsFileStep(s) || isInstallStep(s) || isLbServiceStep(s));
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

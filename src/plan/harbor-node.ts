/**
 * Steps for a Harbor node: storage (mounts, shared directories), then Harbor itself:
 * the installer bundle, the files Harbor's installer reads, the VIP acceptance rules
 * and `install.sh --ha` when anything it depends on changed. Pure.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { Inventory } from "../inventory/model.js";
import { isHarbor2Vm, usesHaproxy } from "../inventory/model.js";
import type { Command } from "../shell/command.js";
import { HARBOR2_PINNED_SECRETS_PATH } from "../render/harbor2-node.js";
import { harbor2InstallCommand, HARBOR2_LOCAL_API_PATH } from "./harbor2-commands.js";
import { HARBOR2_RELEASE_STAMP_PATH } from "../harbor/harbor2-layout.js";
import { harbor2EnvDrift } from "./harbor2-live.js";
import type { Redactor } from "../inventory/secret.js";
import type { DesiredHost } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { sha256Hex } from "../facts/queries.js";
import { harborDir, VIP_ACCEPT_SCRIPT_PATH, VIP_ACCEPT_UNIT_PATH } from "../render/harbor-node.js";
import {
  applyVipRulesCommand,
  extractBundleCommand,
  removeVipRulesCommand,
  fstabLine,
  harborInstallCommand,
  mountCommand,
  persistMountCommand,
} from "../steps/commands.js";
import { planDirectories, planFiles, planPackages } from "../steps/host-steps.js";
import { SHARED_STORAGE_ANSWER, sharedRegistryPath } from "./shared-storage.js";
import { liveFileDrift } from "./live-files.js";
import { DEFAULT_STARTUP_TIMEOUT_MS, planStartupWait } from "./startup.js";
import { pendingOn, pendingReason } from "../steps/pending.js";
import type { Step } from "../steps/types.js";

export const INSTALL_STAMP_PATH = "/var/lib/harbor-ha/harbor-install.stamp";
export const VIP_ACCEPT_UNIT = "harbor-ha-vip-accept.service";

/** The installer bundle on the operator's machine. */
export interface BundleInfo {
  localPath: string;
  sha256: string;
}

export function bundleRemotePath(inv: Inventory): string {
  return posix.join(inv.data.installer.install_dir, posix.basename(inv.data.installer.bundle));
}

/** Where each node answers locally; the facts ask it, to see whether Harbor is up. */
export function localHealthUrl(inv: Inventory): string {
  return `${inv.data.cluster.protocol}://127.0.0.1${isHarbor2Vm(inv) ? HARBOR2_LOCAL_API_PATH : "/api/systeminfo"}`;
}

/** The run of Harbor's installer a node's configuration needs: 1.x's `install.sh --ha`, 2.x's install.sh and the pinning. */
interface InstallerRun {
  title: string;
  command: Command;
  /** The answer to prepare's question, when it asks one. */
  stdin?: string;
  /** The scanner install.sh adds (Clair, Trivy): part of what the install stamp records. */
  withScanner: boolean;
}

function installerRun(inv: Inventory): InstallerRun {
  const dir = harborDir(inv);
  if (isHarbor2Vm(inv)) {
    const trivy = inv.data.harbor.with_trivy;
    return {
      title: `run install.sh${trivy ? " --with-trivy" : ""}, then pin the shared secrets in prepare's env files and bring the changed containers up`,
      command: harbor2InstallCommand(dir, trivy, HARBOR2_PINNED_SECRETS_PATH),
      withScanner: trivy,
    };
  }
  const clair = inv.data.harbor.with_clair;
  // With filesystem storage prepare asks whether it is shared: the plan's check proves it before any install (planSharedStorageCheck).
  const shared = sharedRegistryPath(inv) !== undefined;
  return {
    title: `run install.sh --ha${clair ? " --with-clair" : ""}${shared ? " (answering prepare's shared-storage question: yes, checked above)" : ""}`,
    command: harborInstallCommand(dir, clair),
    ...(shared ? { stdin: SHARED_STORAGE_ANSWER } : {}),
    withScanner: clair,
  };
}

export function planStorage(d: DesiredHost, f: HostFacts): Step[] {
  const host = d.host.name;
  const phase = "storage" as const;
  const steps: Step[] = [...planPackages(d, f, phase)];
  for (const m of d.mounts) {
    // Fields compared, not spacing: an operator's TAB-separated line for the same mount is kept.
    if (f.fstab[m.target]?.trim().split(/\s+/).join(" ") !== fstabLine(m)) {
      steps.push({
        host,
        phase,
        kind: "mount",
        title: `persist ${m.target} in /etc/fstab`,
        reason: f.fstab[m.target] ? "the fstab line differs" : "absent from /etc/fstab",
        action: { type: "run", command: persistMountCommand(m) },
      });
    }
    if (!f.mounts[m.target]) {
      steps.push({
        host,
        phase,
        kind: "mount",
        title: `mount ${m.source} at ${m.target}`,
        reason: "not mounted",
        action: { type: "run", command: mountCommand(m) },
      });
    }
  }
  // Ownership after mounting: it is the shared filesystem's root that Harbor (uid 10000) must own.
  steps.push(...planDirectories(d.directories, host, f, phase));
  return steps;
}

/** LVS direct routing: the VIP acceptance rules in place. HAProxy: none left over from an earlier lvs-dr. */
function planVipRules(inv: Inventory, host: string, f: HostFacts, scriptChanged: boolean, pending: boolean): Step[] {
  const phase = "harbor" as const;
  const chain = f.vipChain;
  if (usesHaproxy(inv)) {
    const leftover = chain?.hooked === true || (chain?.rules.length ?? 0) > 0 || f.files[VIP_ACCEPT_SCRIPT_PATH]?.present === true;
    if (!leftover) return [];
    // Removing them is what takes effect now: a marker an lvs-dr run left is cleared by it.
    return [
      {
        host,
        phase,
        kind: "service",
        title: "remove the VIP acceptance rules (iptables chain, script, boot unit)",
        reason: "load_balancing is haproxy: HAProxy connects to the node's own address, the rules were for LVS direct routing",
        action: { type: "run", command: removeVipRulesCommand(f.init, VIP_ACCEPT_SCRIPT_PATH, VIP_ACCEPT_UNIT, VIP_ACCEPT_UNIT_PATH) },
        applies: ["apply-vip-rules"],
      },
    ];
  }
  if (!scriptChanged && !pending && chain?.hooked === true && chain.rules.length > 0) return [];
  const reason = scriptChanged
    ? "the rules script changed"
    : pending
      ? pendingReason("apply-vip-rules", f.pending["apply-vip-rules"])
      : "the VIP acceptance rules are not in place";
  return [
    {
      host,
      phase,
      kind: "service",
      title: "apply the VIP acceptance rules (iptables REDIRECT)",
      reason,
      action: { type: "run", command: applyVipRulesCommand(f.init, VIP_ACCEPT_SCRIPT_PATH, VIP_ACCEPT_UNIT) },
      applies: ["apply-vip-rules"],
    },
  ];
}

/** A digest of everything install.sh reads; stored on the node after a successful install. */
export function installDigest(d: DesiredHost, bundle: BundleInfo, withScanner: boolean): string {
  const inputs = d.files
    .filter((file) => file.onChange.includes("reinstall-harbor"))
    .map((file) => `${file.path}:${sha256Hex(file.content)}`)
    .sort();
  return (
    createHash("sha256")
      // Named withClair since 1.x: a stamp written before Trivy existed here still matches.
      .update(JSON.stringify({ bundle: bundle.sha256, withClair: withScanner, inputs }))
      .digest("hex")
  );
}

export interface HarborPlanOptions {
  /** How long Harbor may take to start after install.sh (default DEFAULT_STARTUP_TIMEOUT_MS). */
  startupTimeoutMs?: number;
}

export function planHarbor(
  inv: Inventory,
  d: DesiredHost,
  f: HostFacts,
  bundle: BundleInfo,
  redactor: Redactor,
  opts: HarborPlanOptions = {},
): Step[] {
  const host = d.host.name;
  const phase = "harbor" as const;
  const dir = harborDir(inv);
  const remoteBundle = bundleRemotePath(inv);
  const steps: Step[] = [];

  const bundleFact = f.files[remoteBundle];
  const uploadBundle = !bundleFact?.present || bundleFact.sha256 !== bundle.sha256;
  if (uploadBundle) {
    steps.push({
      host,
      phase,
      kind: "install",
      role: "installer-bundle",
      title: `upload ${posix.basename(remoteBundle)} to ${inv.data.installer.install_dir}`,
      reason: bundleFact?.present ? "checksum differs" : "absent",
      action: { type: "upload-local", localPath: bundle.localPath, remotePath: remoteBundle, sha256: bundle.sha256, mode: 0o600 },
    });
  }
  const extract = uploadBundle || !f.files[`${dir}/install.sh`]?.present;
  // The files harbor-ha writes into Harbor's folder are left out of the extraction: the bundle's
  // own harbor.cfg (placeholders) never replaces ours, not even for a moment a kill could freeze.
  const managed = d.files.filter((file) => file.path.startsWith(`${dir}/`)).map((file) => posix.relative(inv.data.installer.install_dir, file.path));
  if (extract) {
    steps.push({
      host,
      phase,
      kind: "install",
      role: "installer-bundle",
      title: `extract the installer into ${dir}`,
      reason: uploadBundle ? "new bundle" : `${dir}/install.sh is absent`,
      action: { type: "run", command: extractBundleCommand(remoteBundle, inv.data.installer.install_dir, managed), timeoutMs: 600_000 },
    });
  }
  const files = planFiles(d.files, host, f, phase, redactor);
  steps.push(...files.steps);
  const pending = pendingOn(f);

  steps.push(...planVipRules(inv, host, f, files.handlers.has("apply-vip-rules"), pending.has("apply-vip-rules")));

  const installer = installerRun(inv);
  const digest = installDigest(d, bundle, installer.withScanner);
  const up = f.http[localHealthUrl(inv)] === 200;
  const live = isHarbor2Vm(inv) ? harbor2EnvDrift(inv, d, f) : liveFileDrift(inv, d, f);
  const reason = files.handlers.has("reinstall-harbor")
    ? "its configuration changed"
    : pending.has("reinstall-harbor")
      ? pendingReason("reinstall-harbor", f.pending["reinstall-harbor"])
      : f.stamps[INSTALL_STAMP_PATH] !== digest
        ? "not installed from this configuration yet"
        : !up
          ? "Harbor does not answer on this node"
          : live.length > 0
            ? isHarbor2Vm(inv)
              ? `Harbor runs with other secrets than the cluster's (${live.map((l) => l.path).join(", ")}): the install step puts them back`
              : `Harbor uses other files than harbor-ha's (${live.map((l) => l.path).join(", ")}): prepare puts harbor-ha's in place again`
            : undefined;
  if (reason) {
    steps.push({
      host,
      phase,
      kind: "install",
      role: "install-run",
      title: installer.title,
      reason,
      action: { type: "run", command: installer.command, timeoutMs: 900_000, ...(installer.stdin === undefined ? {} : { stdin: installer.stdin }) },
    });
    steps.push(planStartupWait(inv, host, opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS));
    steps.push({
      host,
      phase,
      kind: "install",
      role: "install-stamp",
      title: `record the installed configuration in ${INSTALL_STAMP_PATH}`,
      reason: "after a successful install",
      action: {
        type: "upload",
        file: {
          path: INSTALL_STAMP_PATH,
          content: `${digest}\n`,
          mode: 0o644,
          owner: "root",
          group: "root",
          sensitive: false,
          onChange: [],
          description: "digest of what install.sh last ran with",
        },
      },
      applies: ["reinstall-harbor"],
    });
    if (isHarbor2Vm(inv)) steps.push(releaseStampStep(host, inv.data.cluster.harbor_version));
  }
  return steps;
}

/** Harbor 2.x: the release now installed, which a later run compares with the inventory's (plan/preflight.ts). */
function releaseStampStep(host: string, release: string): Step {
  return {
    host,
    phase: "harbor",
    kind: "install",
    role: "install-stamp",
    title: `record the installed release (Harbor ${release}) in ${HARBOR2_RELEASE_STAMP_PATH}`,
    reason: "after a successful install",
    action: {
      type: "upload",
      file: {
        path: HARBOR2_RELEASE_STAMP_PATH,
        content: `${release}\n`,
        mode: 0o644,
        owner: "root",
        group: "root",
        sensitive: false,
        onChange: [],
        description: "the Harbor release install.sh last installed",
      },
    },
  };
}

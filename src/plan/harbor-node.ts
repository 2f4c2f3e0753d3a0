/**
 * Steps for a Harbor node: storage (mounts, shared directories), then Harbor itself: the
 * installer bundle, the files Harbor's installer reads, what the load-balancing mode puts on
 * the node, and the generation's installer run when anything it depends on changed. Pure.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { Inventory } from "../inventory/model.js";
import type { Redactor } from "../inventory/secret.js";
import { INSTALL_STAMP_PATH } from "../desired/paths.js";
import type { DesiredHost } from "../desired/types.js";
import type { HostFacts } from "../facts/types.js";
import { sha256Hex } from "../facts/queries.js";
import { generationOf } from "../harbor/generations.js";
import { nodeModeSteps } from "../lb/modes.js";
import { extractBundleCommand, fstabLine, mountCommand, persistMountCommand } from "../steps/commands.js";
import { planDirectories, planFiles, planPackages } from "../steps/host-steps.js";
import { pendingOn, pendingReason } from "../steps/pending.js";
import type { Step } from "../steps/types.js";
import { DEFAULT_STARTUP_TIMEOUT_MS, planStartupWait } from "./startup.js";

export { INSTALL_STAMP_PATH } from "../desired/paths.js";
/** The installer bundle on the operator's machine. */
export interface BundleInfo {
  localPath: string;
  sha256: string;
}

export function bundleRemotePath(inv: Inventory): string {
  return posix.join(inv.data.installer.install_dir, posix.basename(inv.data.installer.bundle));
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
  const generation = generationOf(inv);
  const dir = generation.harborDir;
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

  steps.push(...nodeModeSteps(inv, host, f, { files: files.handlers.has("apply-vip-rules"), pending: pending.has("apply-vip-rules") }));

  const installer = generation.installerRun();
  const digest = installDigest(d, bundle, installer.withScanner);
  const up = f.http[generation.localHealthUrl] === 200;
  const live = generation.liveDrift(d, f);
  const reason = files.handlers.has("reinstall-harbor")
    ? "its configuration changed"
    : pending.has("reinstall-harbor")
      ? pendingReason("reinstall-harbor", f.pending["reinstall-harbor"])
      : f.stamps[INSTALL_STAMP_PATH] !== digest
        ? "not installed from this configuration yet"
        : !up
          ? "Harbor does not answer on this node"
          : live.length > 0
            ? generation.liveDriftReason(live)
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
    steps.push(planStartupWait(generation, inv.data.cluster.protocol, host, opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS));
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
    steps.push(...generation.afterInstall(host));
  } else {
    steps.push(...laggingAfterInstall(generation.afterInstall(host), f));
  }
  return steps;
}

/**
 * The after-install records (2.x: the release stamp) that still hold another value although this
 * configuration is installed: a run killed between the install stamp and them. Written on their
 * own, or the node reads as the old release for good. An absent record is left as it is.
 */
export function laggingAfterInstall(steps: readonly Step[], f: HostFacts): Step[] {
  return steps
    .filter((s) => {
      if (s.action.type !== "upload") return false;
      const now = f.stamps[s.action.file.path];
      return typeof now === "string" && now.trim() !== s.action.file.content.trim();
    })
    .map((s) => ({ ...s, reason: "installed already; an earlier run stopped before recording it" }));
}

/**
 * The remote commands of a rolling run, built as data (quoted once by renderShell), and
 * the pure parsers of their output. Tested as strings and on captured output.
 */
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { CHECK_SCRIPT_PATH, DRAIN_DIR } from "../render/loadbalancer.js";

/** The marker check.sh looks for: while it exists, the node fails its check on purpose. */
export function drainMarkerPath(nodeAddress: string): string {
  return `${DRAIN_DIR}/${nodeAddress}`;
}

/** Removes a node's drain marker (and the backup an atomic write may have left beside it). */
export function removeDrainMarkerCommand(nodeAddress: string): Command {
  const path = drainMarkerPath(nodeAddress);
  return cmd("rm", "-f", "--", path, `${path}.harbor-ha.bak`);
}

/**
 * check.sh for one node with the drain marker ignored: the health gate asks whether the
 * node WOULD pass before it is put back in service. The managed script runs unchanged
 * apart from the folder it looks for markers in.
 */
export function gateCheckCommand(nodeAddress: string): Command {
  const script = 'sed -e "s|^readonly DRAIN_DIR=.*|readonly DRAIN_DIR=/nonexistent/harbor-ha-gate|" "$1" | bash -s -- "$2"';
  return cmd("sh", "-c", script, "sh", CHECK_SCRIPT_PATH, nodeAddress);
}

/** The SHA-256 fingerprint of the certificate a node serves on 443 for the cluster's hostname, asked on the node itself. */
export function servedFingerprintCommand(hostname: string): Command {
  const script = 'openssl s_client -connect 127.0.0.1:443 -servername "$1" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256';
  return cmd("sh", "-c", script, "sh", hostname);
}

/** `sha256 Fingerprint=AB:CD:…` (OpenSSL 3) or `SHA256 Fingerprint=…` → `AB:CD:…`; undefined when absent. */
export function parseFingerprint(output: string): string | undefined {
  const m = /sha256 Fingerprint=([0-9A-Fa-f:]+)/i.exec(output);
  return m?.[1]?.toUpperCase();
}

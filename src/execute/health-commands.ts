/**
 * The remote commands of a roll's health gate, built as data (quoted once by renderShell);
 * facts/fingerprint.ts reads what the certificate check prints. Tested as strings.
 */
import { cmd } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import { CHECK_SCRIPT_PATH } from "../desired/paths.js";

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

/**
 * The remote commands of a rolling run, built as data (quoted once by renderShell), and
 * the pure parsers of their output. Tested as strings and on captured output.
 */
import { cmd } from "../remote/command.js";
import type { Command } from "../remote/command.js";
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

export const NO_IPVS = "harbor-ha:no-ipvs";

/** The IPVS table where the kernel and ipvsadm have one; else the NO_IPVS line. */
export function ipvsTableCommand(): Command {
  return cmd("sh", "-c", `if command -v ipvsadm >/dev/null 2>&1 && ipvsadm -Ln 2>/dev/null; then :; else echo ${NO_IPVS}; fi`);
}

/**
 * undefined: this host balances nothing through IPVS (no ipvsadm, no IPVS in the kernel, or
 * no virtual server: keepalived runs VRRP only), so wait the checker's period instead;
 * else whether the node is a real server of any virtual server.
 */
export function parseIpvsHasRealServer(output: string, nodeAddress: string): boolean | undefined {
  if (output.includes(NO_IPVS)) return undefined;
  if (!output.split("\n").some((l) => /^(TCP|UDP|FWM)\s/.test(l))) return undefined;
  return output.split("\n").some((l) => {
    const m = /^\s*->\s+(\S+):\d+\s/.exec(l);
    return m?.[1] === nodeAddress;
  });
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

export const STANDIN_PIDFILE = "/var/run/harbor-standin.pid";

/**
 * Stops Harbor on a node taken out of the cluster: `docker-compose down` where Harbor's
 * compose file is (real Harbor), else the lab stand-in by its pidfile (its command line
 * checked first). With purge, the install folder, the bundle and the install stamp go too;
 * never /data (shared storage, the secretkey).
 */
export function stopHarborCommand(harborDir: string, opts: { purge: boolean; bundlePath: string; stampPath: string }): Command {
  const script = [
    'd=$1; pidfile=$2',
    'if [ -f "$d/docker-compose.yml" ]; then (cd "$d" && docker-compose down) || exit 1',
    'elif [ -f "$pidfile" ]; then',
    '  pid=$(cat "$pidfile")',
    '  if tr "\\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -q standin/server.py; then',
    '    kill -TERM "$pid"; i=0',
    '    while [ $i -lt 50 ] && [ -e "/proc/$pid" ] && ! grep -q "^State:[[:space:]]*Z" "/proc/$pid/status" 2>/dev/null; do sleep 0.1; i=$((i+1)); done',
    '    [ -e "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null',
    '  fi',
    '  rm -f "$pidfile"',
    'fi',
    ...(opts.purge ? ['rm -rf -- "$d" "$3" "$4"'] : []),
    'exit 0',
  ].join("\n");
  return cmd("sh", "-c", script, "sh", harborDir, STANDIN_PIDFILE, opts.bundlePath, opts.stampPath);
}

/**
 * The remote commands a plan uses, built as data (argument lists, quoted once by
 * renderShell). Pure; tested as strings.
 */
import { allOf, cmd, op } from "../shell/command.js";
import type { Command } from "../shell/command.js";
import type { DesiredDirectory, DesiredMount } from "../desired/types.js";
import { formatMode } from "../shell/file-mode.js";
import { Secret } from "../inventory/secret.js";
import { encodeFstabLine } from "../formats/fstab.js";

export type InitSystem = "systemd" | "sysv";
export type ServiceAction = "start" | "reload" | "restart" | "stop";

/**
 * Debian's keepalived init script restarts with stop, `sleep 1`, start, and its stop does not wait:
 * a keepalived that takes over a second to stop (measured on a cluster built from Harbor's guide)
 * is still there at start, which then does nothing, and keepalived ends up stopped. So a SysV
 * restart stops, waits (up to 10 s) for the process its pid file named to be gone — a zombie
 * counts as gone — and starts.
 */
const SYSV_RESTART =
  'p=$(cat "/run/$1.pid" 2>/dev/null || true); service "$1" stop; i=0; ' +
  'while [ -n "$p" ] && [ "$i" -lt 100 ] && [ -r "/proc/$p/status" ] && ! grep -q "^State:[[:space:]]*Z" "/proc/$p/status"; ' +
  'do sleep 0.1; i=$((i + 1)); done; service "$1" start';

/** Start/reload/restart a service with the host's init system; start also enables it at boot. */
export function serviceCommand(init: InitSystem, service: string, action: ServiceAction): Command {
  if (init === "systemd") {
    return action === "start" ? cmd("systemctl", "enable", "--now", service) : cmd("systemctl", action, service);
  }
  return action === "restart" ? cmd("sh", "-c", SYSV_RESTART, "sh", service) : cmd("service", service, action);
}

/** Installs Debian (or RPM) packages that are missing; non-interactive. */
export function installPackagesCommand(packages: readonly string[]): Command {
  const script =
    'if command -v apt-get >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" || ' +
    '{ DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }; ' +
    'elif command -v dnf >/dev/null 2>&1; then dnf install -y "$@"; else yum install -y "$@"; fi';
  return cmd("sh", "-c", script, "sh", ...packages);
}

/** A system user without a home or login shell (keepalived's script user). */
export function createSystemUserCommand(name: string): Command {
  return cmd("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
}

export function ensureDirectoryCommand(d: DesiredDirectory): Command {
  return allOf(cmd("mkdir", "-p", "--", d.path), cmd("chmod", formatMode(d.mode), "--", d.path), cmd("chown", `${d.owner}:${d.group}`, "--", d.path));
}

/** The mount's /etc/fstab line, through the one fstab encoder (formats/fstab.ts). */
export function fstabLine(m: DesiredMount): string {
  return encodeFstabLine(m);
}

/** Replaces the fstab line for the target (or adds it), keeping the previous fstab as a backup. */
export function persistMountCommand(m: DesiredMount): Command {
  const script =
    "set -e; tmp=$(mktemp /etc/.fstab.harbor-ha.XXXXXX); trap 'rm -f \"$tmp\"' EXIT; " +
    'awk -v t="$1" \'$1 ~ /^#/ || $2 != t\' /etc/fstab > "$tmp"; printf \'%s\\n\' "$2" >> "$tmp"; ' +
    'chmod 0644 "$tmp"; cp -p /etc/fstab /etc/fstab.harbor-ha.bak; mv -f "$tmp" /etc/fstab';
  return cmd("sh", "-c", script, "sh", m.target, fstabLine(m));
}

export function mountCommand(m: DesiredMount): Command {
  return allOf(cmd("mkdir", "-p", "--", m.target), cmd("mount", "--", m.target));
}

export function applySysctlCommand(path: string): Command {
  return cmd("sysctl", "-q", "-p", path);
}

/** Exit status of STAGED_CHECK_SCRIPT when the candidate could not be staged (never a checker's own). */
export const STAGED_CHECK_FAILED_EXIT = 120;

/**
 * Checks a candidate configuration (on stdin) with the daemon's own checker, in ONE command:
 * staged beside the real file (relative paths resolve the same), removed by the EXIT trap
 * whatever happens, and the command finishes on the host even when the run that sent it is
 * killed — so no candidate is ever left behind. Exits with the checker's status (143 when it
 * was ended by SIGTERM). Fixed script: the folder and a label arrive as $1, $2, the checker's
 * words after them (the candidate's path is appended).
 */
export const STAGED_CHECK_SCRIPT = [
  "dir=$1; label=$2; shift 2; tmp=",
  `trap 'rm -f -- "$tmp"' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  // Left by harbor-ha versions that staged under a fixed name (a glob that matches nothing stays literal: rm -f ignores it).
  'rm -f -- "$dir"/*.harbor-ha-check "$dir"/*.harbor-ha-check-vrrp ' +
    '"$dir"/*.harbor-ha-check.harbor-ha.bak "$dir"/*.harbor-ha-check-vrrp.harbor-ha.bak',
  `tmp=$(mktemp -- "$dir/.harbor-ha-check-$label.XXXXXXXX") && cat > "$tmp" && chmod 0600 -- "$tmp" || exit ${STAGED_CHECK_FAILED_EXIT}`,
  // In the background and waited for: a signal then ends the script (and the trap removes the
  // candidate) at once, not after the checker, which may hang (keepalived on a checker). The
  // shell's own "Terminated" notice goes nowhere (the checker writes to the real stderr, fd 3):
  // a silent SIGTERM must stay silent to be recognised (plan/keepalived-check.ts).
  "exec 3>&2 2>/dev/null",
  '"$@" "$tmp" 2>&3 & wait $!',
].join("\n");

/** The staged check of a candidate file in `dir`: `checker` gets the candidate's path as its last word. */
export function stagedCheckCommand(dir: string, label: string, checker: readonly string[]): Command {
  return cmd("sh", "-c", STAGED_CHECK_SCRIPT, "sh", dir, label, ...checker);
}

/** `keepalived -t -f <candidate>` (label: the whole file, or its VRRP part alone). */
export function keepalivedCheckCommand(dir: string, label: "whole" | "vrrp"): Command {
  return stagedCheckCommand(dir, label, ["keepalived", "-t", "-f"]);
}

/**
 * One look at Harbor's start-up on the node itself: the UI's /api/systeminfo (status code, or
 * curl's error), the registry behind nginx at /v2/ (status line and headers: a running
 * registry answers 401 with a Bearer challenge), and the token service: an anonymous pull
 * token for a repository of the public `library` project. Harbor's UI loads the token key
 * only when it signs a token, so a key its libtrust refuses (PKCS#8) leaves /api/systeminfo
 * at 200 and shows only here, as a 500. Read by judgeHarborStartup.
 */
export function harborStartupProbeCommand(baseUrl: string, apiPath = "/api/systeminfo", deps: NodeDependencies = NO_DEPENDENCIES): Command {
  const script = [
    "u=$1 a=$2; shift 2",
    'echo "== systeminfo $a"',
    'curl -ksS -o /dev/null -w "status %{http_code}\\n" --connect-timeout 3 --max-time 10 -- "$u$a" 2>&1',
    'echo "== v2"',
    'curl -ksS -o /dev/null -D - -w "status %{http_code}\\n" --connect-timeout 3 --max-time 10 -- "$u/v2/" 2>&1',
    'echo "== token"',
    `curl -ksS -o /dev/null -w "status %{http_code}\\n" --connect-timeout 3 --max-time 10 -- "$u${HARBOR_TOKEN_PROBE_PATH}" 2>&1`,
    DEPENDENCY_PROBE,
    "exit 0",
  ].join("\n");
  return cmd("sh", "-c", script, "sh", baseUrl, apiPath, ...dependencyArgs(deps));
}

/** What Harbor on a node cannot start without: the services it connects to, and its shared storage's mount points. */
export interface NodeDependencies {
  endpoints: ReadonlyArray<{ label: string; host: string; port: number }>;
  mounts: readonly string[];
}

const NO_DEPENDENCIES: NodeDependencies = { endpoints: [], mounts: [] };

/**
 * The dependencies' section of a probe (read by readDependencies): each endpoint opened over TCP
 * from the node, each mount point asked (both bounded: a dead NFS server must not hang the probe).
 * Its arguments: the number of endpoints, then label host port for each, then the mount points.
 */
const DEPENDENCY_PROBE = [
  'echo "== deps"',
  "n=$1; shift",
  'while [ "$n" -gt 0 ]; do',
  '  if timeout 3 bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$2" "$3" 2>/dev/null; then s=open; else s=closed; fi',
  '  printf \'dep\\t%s\\t%s:%s\\t%s\\n\' "$1" "$2" "$3" "$s"; shift 3; n=$((n - 1))',
  "done",
  'for m in "$@"; do',
  '  if timeout -k 1 3 mountpoint -q -- "$m" 2>/dev/null; then s=mounted; else s=absent; fi',
  '  printf \'mount\\t%s\\t%s\\n\' "$m" "$s"',
  "done",
].join("\n");

function dependencyArgs(deps: NodeDependencies): string[] {
  return [String(deps.endpoints.length), ...deps.endpoints.flatMap((e) => [e.label, e.host, String(e.port)]), ...deps.mounts];
}

/** The dependencies alone, asked on the node (the roll's health gate, when the node fails it): read by readDependencies. */
export function nodeDependencyProbeCommand(deps: NodeDependencies): Command {
  return cmd("sh", "-c", DEPENDENCY_PROBE, "sh", ...dependencyArgs(deps));
}

/** Anonymous pull of a repository in `library` (public in Harbor's registry.sql): Harbor signs a token (possibly with no access). */
export const HARBOR_TOKEN_PROBE_PATH = "/service/token?service=harbor-registry&scope=repository:library/harbor-ha-probe:pull";

/** The marker file of the shared-storage check, in the registry's storage folder. */
export const SHARED_CHECK_FILE = ".harbor-ha-shared-check";

/** Runs "$@" as Harbor's uid and gid 10000 (which have no name on most hosts): coreutils, on every distribution. */
const AS_HARBOR = 'as_harbor() { chroot --userspec=10000:10000 / "$@"; }';

/**
 * The first half of the shared-storage check: writes a fresh random marker into the
 * registry's storage folder as uid 10000 (which proves Harbor's registry may write there),
 * replacing the previous run's, and reads it back.
 */
export function sharedStorageMarkCommand(dir: string, marker: string): Command {
  const script = [
    AS_HARBOR,
    'd=$1; m=$2; f="$d/$3"',
    '[ -d "$d" ] || { echo "$d does not exist" >&2; exit 1; }',
    // The inner script gets its values as arguments, never by interpolation.
    'as_harbor sh -c \'printf "%s\\n" "$1" > "$2.tmp" && mv -f "$2.tmp" "$2"\' sh "$m" "$f" || ' +
      '{ echo "uid 10000 (Harbor\'s registry) cannot write to $d" >&2; exit 1; }',
    '[ "$(cat "$f")" = "$m" ] || { echo "wrote the check marker to $f but read back something else" >&2; exit 1; }',
  ].join("\n");
  return cmd("sh", "-c", script, "sh", dir, marker, SHARED_CHECK_FILE);
}

/**
 * The second half, on every other node: the marker `writer` just wrote must be there (the
 * same filesystem), and uid 10000 must be able to write there too. Says what is mounted there when not.
 */
export function sharedStorageReadCommand(dir: string, marker: string, writer: string, node: string): Command {
  const script = [
    AS_HARBOR,
    'd=$1; m=$2; f="$d/$3"; writer=$4; node=$5',
    'mounted=$(awk -v t="$d" \'$2 == t { print $1 " (" $3 ")"; exit }\' /proc/self/mounts)',
    'got=$(cat "$f" 2>/dev/null || true)',
    'if [ "$got" != "$m" ]; then',
    '  if [ -z "$got" ]; then echo "$node does not see the check marker $writer just wrote into $d" >&2',
    '  else echo "$node sees another check marker in $d than the one $writer just wrote: a different filesystem" >&2; fi',
    '  echo "mounted at $d on $node: ${mounted:-nothing at exactly this path}" >&2',
    "  exit 1",
    "fi",
    'as_harbor sh -c \': > "$1" && rm -f "$1"\' sh "$d/.harbor-ha-write-check.$node" || ' +
      '{ echo "uid 10000 (Harbor\'s registry) cannot write to $d on $node" >&2; exit 1; }',
  ].join("\n");
  return cmd("sh", "-c", script, "sh", dir, marker, SHARED_CHECK_FILE, writer, node);
}

/** A value in double quotes as curl's config file reads it back (backslash escapes). */
export function curlConfigQuote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/**
 * curl's config for a call of Harbor's API as its admin: basic auth and, for a PUT, the JSON
 * body. Read by `curl -K -` from stdin, so the password and the settings (secrets among them)
 * never appear on a command line or in a log. A Secret: it prints as [redacted].
 */
export function harborApiCurlConfig(user: string, password: Secret, body?: string): Secret {
  const lines = [`user = ${curlConfigQuote(`${user}:${password.reveal()}`)}`];
  if (body !== undefined) lines.push(`data-binary = ${curlConfigQuote(body)}`, `header = "Content-Type: application/json"`);
  return new Secret(`${lines.join("\n")}\n`, "curl config");
}

/** A call of Harbor's API on the node itself; curl's config (harborApiCurlConfig) on stdin. Prints the body, then `harbor-ha-status:<code>`. */
export function harborApiCommand(method: "GET" | "PUT", url: string): Command {
  return cmd(
    "curl",
    "-ksS",
    "-K",
    "-",
    "-X",
    method,
    "--connect-timeout",
    "5",
    "--max-time",
    "60",
    "-w",
    "\\nharbor-ha-status:%{http_code}",
    "--",
    url,
  );
}

/** harborApiCommand's output: the status (0 when nothing answered) and the body (or curl's error). */
export function parseApiAnswer(output: string): { status: number; body: string } {
  const at = output.lastIndexOf("harbor-ha-status:");
  if (at < 0) return { status: 0, body: output.trim() };
  return { status: Number(output.slice(at + "harbor-ha-status:".length).trim()) || 0, body: output.slice(0, at).replace(/\n$/, "") };
}

/** Extracts the installer bundle, leaving out `keep` (paths relative to installDir, as the archive names them). */
export function extractBundleCommand(bundlePath: string, installDir: string, keep: readonly string[] = []): Command {
  const excludes = keep.flatMap((p) => ["--exclude", p]);
  return allOf(
    cmd("mkdir", "-p", "--", installDir),
    cmd("tar", "-xzf", bundlePath, "-C", installDir, "--no-same-owner", ...(excludes.length > 0 ? ["--anchored", ...excludes] : [])),
  );
}

/**
 * Runs check.sh for every node on a load balancer, all at once (each check waits on the
 * network, not the CPU); prints `<node> ok` or `<node> fail <reason>`, one line per node.
 */
export function checkNodesCommand(checkScript: string, nodeAddresses: readonly string[]): Command {
  const script =
    'c=$1; shift; for n in "$@"; do ( if out=$("$c" "$n" 2>&1); then echo "$n ok"; else echo "$n fail $(echo "$out" | head -n 1)"; fi ) & done; wait';
  return cmd("sh", "-c", script, "sh", checkScript, ...nodeAddresses);
}

/** Lists which of the given addresses this host holds (the VIP holder check). */
export function heldAddressesCommand(): Command {
  return cmd("ip", "-o", "-4", "addr", "show", op("|"), "awk", "{ print $4 }");
}

/**
 * Stops Harbor on a node taken out of the cluster, the way Harbor itself is stopped: compose
 * `down` in its folder with the compose files install.sh started it with. A node without Harbor's compose file
 * (never installed, or already purged) has nothing to stop. With purge, the install folder,
 * the bundle and the install stamp go too; never /data (shared storage, the secretkey).
 */
export function stopHarborCommand(
  harborDir: string,
  opts: {
    /** A shell function `compose` that runs compose as the generation's install.sh does. */
    composeFunction: string;
    composeFileArgs: readonly string[];
    purge: boolean;
    bundlePath: string;
    stampPath: string;
  },
): Command {
  const script = [
    opts.composeFunction,
    // $1 Harbor's folder, $2 the bundle, $3 the install stamp; the rest: the compose file arguments.
    "d=$1; bundle=$2; stamp=$3; shift 3",
    'if [ -f "$d/docker-compose.yml" ]; then (cd "$d" && compose "$@" down) || exit 1; fi',
    ...(opts.purge ? ['rm -rf -- "$d" "$bundle" "$stamp"'] : []),
    "exit 0",
  ].join("\n");
  return cmd("sh", "-c", script, "sh", harborDir, opts.bundlePath, opts.stampPath, ...opts.composeFileArgs);
}

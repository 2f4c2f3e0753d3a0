/**
 * HAProxy's commands as data (facts/haproxy-stat.ts parses what its runtime API answers).
 * Tested as strings.
 */
import { allOf, cmd } from "../../shell/command.js";
import type { Command } from "../../shell/command.js";
import { HAPROXY_ADMIN_SOCKET, HAPROXY_ALIVE_PATH, HAPROXY_ALIVE_PORT, HAPROXY_STATE_FILE } from "./render.js";
import { serviceCommand, stagedCheckCommand } from "../../steps/commands.js";
import type { InitSystem } from "../../steps/commands.js";

/** Checks a candidate haproxy.cfg (on stdin), staged in `dir`, before it replaces the running one (exit 0 valid, else the ALERT lines say why). */
export function haproxyCheckCommand(dir: string): Command {
  return stagedCheckCommand(dir, "haproxy", ["haproxy", "-c", "-f"]);
}

/**
 * Runtime API commands, one connection each, in order; each answer is printed and any answer
 * that is not empty or a known success fails the whole command (the runtime API always exits 0).
 */
export function haproxyRuntimeCommand(commands: readonly string[]): Command {
  const script = [
    "s=$1; shift",
    'for c in "$@"; do',
    '  out=$(printf \'%s\\n\' "$c" | socat -t 5 stdio "unix-connect:$s") || { echo "cannot reach HAProxy\'s runtime API at $s" >&2; exit 1; }',
    "  printf '%s\\n' \"$out\"",
    // set server answers nothing on success; a refusal is a sentence ("No such server.", "Unknown command").
    '  case "$c" in set\\ *) [ -z "$(printf \'%s\' "$out" | tr -d \'[:space:]\')" ] || { echo "HAProxy refused \'$c\': $out" >&2; exit 1; } ;; esac',
    "done",
  ].join("\n");
  return cmd("sh", "-c", script, "sh", HAPROXY_ADMIN_SOCKET, ...commands);
}

/** `show stat` as CSV: every frontend, backend and server with its state and sessions. */
export function haproxyShowStatCommand(): Command {
  return haproxyRuntimeCommand(["show stat"]);
}

export type HaproxyDrainAction = "drain" | "ready";

/** Sets the admin state of servers (backend/server): drain (no new connections, running ones finish) or ready. */
export function haproxySetStateCommand(servers: ReadonlyArray<{ backend: string; server: string }>, state: HaproxyDrainAction): Command {
  return haproxyRuntimeCommand(servers.map((s) => `set server ${s.backend}/${s.server} state ${state}`));
}

/**
 * Reload without dropping established connections: the runtime state (drained nodes) is saved
 * for the new process first (server-state-file), then the init system reloads, which starts a
 * new process that takes the listeners while the old one finishes its connections.
 */
export function haproxyReloadCommand(init: InitSystem): Command {
  const save = cmd(
    "sh",
    "-c",
    'printf "show servers state\\n" | socat -t 5 stdio "unix-connect:$1" > "$2.tmp" 2>/dev/null && mv -f "$2.tmp" "$2" || rm -f "$2.tmp"; exit 0',
    "sh",
    HAPROXY_ADMIN_SOCKET,
    HAPROXY_STATE_FILE,
  );
  return allOf(save, serviceCommand(init, "haproxy", "reload"));
}

/** HAProxy exits a moment after a start or reload it cannot complete: look this long after it. */
export const HAPROXY_SETTLE_S = 1.5;

/**
 * After HAProxy was started or reloaded: it still runs a moment later and answers on its local
 * liveness address (what keepalived's vrrp_script asks); else it fails, quoting HAProxy's
 * newest log lines (the journal where it has them, else syslog).
 */
export function haproxyRunningCheckCommand(): Command {
  const script = [
    'sleep "$1"',
    "p=$(head -n 1 /run/haproxy.pid 2>/dev/null || true)",
    'if [ -n "$p" ] && grep -q haproxy "/proc/$p/comm" 2>/dev/null && ! grep -q "^State:[[:space:]]*Z" "/proc/$p/status" 2>/dev/null; then',
    '  curl -fsS -o /dev/null --max-time 2 "$2" && exit 0',
    '  echo "HAProxy runs (pid $p) but does not answer at $2" >&2; exit 1',
    "fi",
    'echo "HAProxy is not running after its configuration was applied; its last log lines:" >&2',
    "{ journalctl -q -u haproxy -n 10 --no-pager 2>/dev/null | grep -v '^-- ' | grep . " +
      "|| grep -i haproxy /var/log/syslog 2>/dev/null | tail -n 10; } >&2",
    "exit 1",
  ].join("\n");
  return cmd("sh", "-c", script, "sh", String(HAPROXY_SETTLE_S), `http://127.0.0.1:${HAPROXY_ALIVE_PORT}${HAPROXY_ALIVE_PATH}`);
}

# shellcheck shell=bash
# Tearing the lab down; also how `up` recovers from a crash (sourced by lab.sh).

# PIDs of this lab's host launchers: the recorded ones, plus any whose PID file was never
# written (an `up` killed mid-way). Each is identified by its own command line, which
# names this lab's folder, and is killed only by PID.
lab_launcher_pids() {
  local hd name pid cmd
  for hd in "$LAB_DIR"/hosts/*/; do
    [[ -f "$hd/pid" ]] || continue
    name="$(basename "$hd")"
    pid="$(cat "$hd/pid")"
    lab_pid_alive "$pid" && lab_pid_is_host "$pid" "$name" && echo "$pid"
  done
  for pid in /proc/[0-9]*; do
    pid="${pid#/proc/}"
    cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || continue # gone since listed
    [[ "$cmd" == unshare\ *"/hostinit.py --lab-dir $LAB_DIR --name "* ]] && lab_pid_alive "$pid" && echo "$pid"
  done
}

lab_stop_hosts() {
  local pids=() pid
  mapfile -t pids < <(lab_launcher_pids | sort -u)
  ((${#pids[@]} == 0)) && return 0
  # SIGKILL: unshare ignores SIGTERM; --kill-child then ends the host's PID 1, which
  # ends its whole PID namespace (sshd, keepalived, the stand-in, ...).
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  lab_wait_dead "${pids[@]}" || lab_log "warning: some host launchers did not die: ${pids[*]}"
  local inits=() f
  for f in "$LAB_DIR"/hosts/*/initpid; do [[ -f "$f" ]] && inits+=("$(cat "$f")"); done
  ((${#inits[@]})) && { lab_wait_dead "${inits[@]}" || lab_log "warning: some hosts' PID 1 still run: ${inits[*]}"; }
  return 0
}

lab_remove_links() {
  local dev
  # Host-side veths vanish with their namespace; remove any left (netns cleanup is async).
  for dev in /sys/class/net/hv-*; do
    [[ -e "$dev" ]] || continue
    [[ "$(basename "$(readlink -f "$dev/master" 2>/dev/null)")" == "$LAB_BRIDGE" ]] || continue
    ip link del "$(basename "$dev")" 2>/dev/null || true  # already gone with its namespace
  done
  if [[ -e "/sys/class/net/$LAB_BRIDGE" ]]; then
    ip link del "$LAB_BRIDGE" || lab_log "warning: cannot delete bridge $LAB_BRIDGE"
  fi
  return 0
}

# Every mount lives inside a host's own mount namespace; this only catches strays.
lab_remove_mounts() {
  local mp
  while read -r mp; do
    umount -l "$mp" 2>/dev/null || lab_log "warning: cannot unmount $mp"
  done < <(awk -v d="$LAB_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

lab_down() {
  if [[ -d "$LAB_DIR" ]]; then
    lab_stop_hosts
    lab_remove_mounts
  fi
  lab_remove_links
  if [[ -d "$LAB_DIR" ]]; then
    if [[ -f "$LAB_DIR/$LAB_MARKER" ]]; then
      rm -rf "$LAB_DIR"
    else
      lab_log "warning: $LAB_DIR has no $LAB_MARKER marker; not deleting it"
    fi
  fi
}

# shellcheck shell=bash
# Starting lab hosts: namespaces, the bridge and each host's veth (sourced by lab.sh).

lab_create_bridge() {
  ip link add "$LAB_BRIDGE" type bridge stp_state 0 forward_delay 0 \
    || lab_die "cannot create bridge $LAB_BRIDGE (is one left by another lab? run: scripts/lab.sh down)"
  ip addr add "$LAB_BRIDGE_IP/24" dev "$LAB_BRIDGE"
  ip link set "$LAB_BRIDGE" up
}

# Starts host NAME in its own net, mount, uts and pid namespaces. setsid: whatever kills
# the caller's process group (CI, a timing tool) must not kill the lab. Records the
# launcher's PID at once, so `down` can stop it even if `up` dies right after.
lab_start_host() {
  local name="$1" role="$2" hd="$LAB_DIR/hosts/$1"
  mkdir -p "$hd/fs"
  ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$hd/ssh_host_ed25519_key"
  local args=(--lab-dir "$LAB_DIR" --name "$name" --fs-dir "$hd/fs"
    --authorized-keys "$LAB_DIR/ssh/id_ed25519.pub" --host-key "$hd/ssh_host_ed25519_key"
    --hosts-file "$LAB_DIR/etc-hosts")
  if [[ "$role" == harbor-node ]]; then
    args+=(--bind "$LAB_DIR/shared/registry:/data/registry" --bind "$LAB_DIR/shared/job_logs:/data/job_logs")
    mapfile -t -O "${#args[@]}" args < <(lab_harbor_node_args)
  fi
  [[ "$(lab_ssh_user "$name")" == ops ]] && args+=(--ops-user)
  setsid unshare --net --mount --uts --pid --fork --kill-child --propagation private \
    "$LAB_PYTHON" "$LAB_CODE/hosts/hostinit.py" "${args[@]}" </dev/null >"$hd/console.log" 2>&1 &
  echo "$!" >"$hd/pid"
}

# The host's PID 1 (the launcher's only child), needed to enter its namespaces.
lab_find_init() {
  local name="$1" pid deadline=$((SECONDS + 10)) child
  pid="$(cat "$LAB_DIR/hosts/$name/pid")"
  while ((SECONDS < deadline)); do
    lab_pid_alive "$pid" || break
    if lab_pid_is_host "$pid" "$name"; then
      child="$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)"
      child="${child%% *}"
      if [[ -n "$child" ]]; then echo "$child" >"$LAB_DIR/hosts/$name/initpid"; return 0; fi
    fi
    sleep 0.02
  done
  lab_die "host $name did not start; see $LAB_DIR/hosts/$name/console.log: $(tail -3 "$LAB_DIR/hosts/$name/console.log" 2>/dev/null)"
}

# A veth pair: hv-NAME on the bridge, eth0 inside the host with its address.
lab_wire_host() {
  local name="$1" ip="$2" pid
  pid="$(cat "$LAB_DIR/hosts/$name/pid")"
  ip link add "hv-$name" type veth peer name eth0 netns "$pid"
  ip link set "hv-$name" master "$LAB_BRIDGE" up
  nsenter --net -t "$pid" ip -batch - <<EOF
link set lo up
addr add $ip/24 dev eth0
link set eth0 up
EOF
}

# Waits until every host's sshd accepts connections (or fails with the host's log).
lab_wait_sshd() {
  local deadline=$((SECONDS + 30)) name ip pending
  while :; do
    pending=()
    while read -r name ip _; do
      lab_tcp_open "$ip" 22 || pending+=("$name")
    done < <(lab_hosts)
    ((${#pending[@]} == 0)) && return 0
    if ((SECONDS >= deadline)); then
      lab_die "sshd did not answer on: ${pending[*]}; see $LAB_DIR/hosts/<name>/console.log"
    fi
    for name in "${pending[@]}"; do
      lab_pid_alive "$(cat "$LAB_DIR/hosts/$name/pid")" \
        || lab_die "host $name died: $(tail -3 "$LAB_DIR/hosts/$name/console.log")"
    done
    sleep 0.1
  done
}

lab_ssh_user() { [[ "$1" == harbor2 ]] && echo ops || echo root; }

# shellcheck shell=bash disable=SC2034  # the settings are used by the other parts
# Shared settings and helpers of lab/lab.sh (sourced, not run).

LAB_CODE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" # this folder: the lab's code
LAB_REPO="$(dirname "$LAB_CODE")"
LAB_DIR="${HARBOR_HA_LAB_DIR:-$LAB_REPO/.lab}"
# A marker inside LAB_DIR: `down` deletes LAB_DIR only when it holds it, so a mistyped
# HARBOR_HA_LAB_DIR can never make the lab delete someone else's folder.
LAB_MARKER=".harbor-ha-lab"
LAB_BRIDGE="hha-br0"
LAB_NET="198.18.0"
LAB_BRIDGE_IP="$LAB_NET.1"
LAB_DB_IP="$LAB_NET.5"
LAB_VIP="$LAB_NET.100"
LAB_PYTHON="/usr/bin/python3"   # not a pyenv shim: /root is hidden inside the hosts
LAB_MAX_LBS=9                   # .11-.19
LAB_MAX_NODES=79                # .21-.99 (.100 is the VIP)

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# A PID is alive when /proc/PID/stat exists and its state is not Z (zombie) or X:
# `kill -0` succeeds on zombies, which PID 1 of this machine reaps late.
lab_pid_alive() {
  local pid="$1" stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != "Z" && "${stat:0:1}" != "X" ]]
}

# True when PID is this lab's host launcher for host NAME (its command line is checked
# before any kill, so a recycled PID is never hit).
lab_pid_is_host() {
  local pid="$1" name="$2" cmd
  # 2>/dev/null before the input: a process that ended since its PID was listed is no news.
  cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || return 1
  [[ "$cmd" == unshare\ * && "$cmd" == *"/hostinit.py --lab-dir $LAB_DIR --name $name "* ]]
}

# Waits until every PID given is dead (or a zombie); returns 1 after timeout.
lab_wait_dead() {
  local deadline=$((SECONDS + 10)) pid alive
  while :; do
    alive=0
    for pid in "$@"; do lab_pid_alive "$pid" && alive=1; done
    ((alive == 0)) && return 0
    ((SECONDS >= deadline)) && return 1
    sleep 0.05
  done
}

# True when TCP PORT on ADDR accepts a connection within ~1 s.
lab_tcp_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# The host table written by `up`: name ip role ssh_user, one host per line.
lab_hosts() { [[ -f "$LAB_DIR/hosts.tsv" ]] && cat "$LAB_DIR/hosts.tsv"; }

# Runs a command inside host NAME as its root (all its namespaces and its root dir).
lab_nsenter() {
  local name="$1"; shift
  local init
  init="$(cat "$LAB_DIR/hosts/$name/initpid")"
  nsenter -t "$init" -m -u -n -p -r -w "$@"
}

# STRING as a JSON string, which is a YAML double-quoted scalar too (paths with spaces, "#", ":").
lab_quote() { "$LAB_PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

lab_random() { # N characters from [A-Za-z0-9]
  local out=""
  while ((${#out} < $1)); do
    out+="$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${out:0:$1}"
}

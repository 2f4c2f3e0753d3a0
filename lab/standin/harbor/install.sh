#!/bin/bash
# Harbor 1.4 offline installer's install.sh, LAB STAND-IN (see README.md): no docker here.
#   ./install.sh --ha [--with-clair]      (as root, from this folder)
# Steps as Harbor's: prepare (harbor.cfg → common/config), then start. The stand-in also
# checks the external MariaDB (registry schema) and Redis, where Harbor's containers
# would fail to start on wrong credentials.
set -e
set -o pipefail

workdir="$(cd "$(dirname "$0")" && pwd)"
cd "$workdir"
PIDFILE=/var/run/harbor-standin.pid
LOGDIR=/var/log/harbor
PYTHON=/usr/bin/python3

item=0
h2() { item=$((item + 1)); printf '\n[Step %s]: %s ...\n' "$item" "$*"; }
error() { printf '✖ %s\n' "$*" >&2; exit 1; }
success() { printf '✔ %s\n' "$*"; }

usage="Usage: ./install.sh --ha [--with-clair]
  --ha          HA mode: external MariaDB and Redis (the only mode of the stand-in)
  --with-clair  Clair (accepted; the stand-in serves no Clair)
  --with-notary refused: Harbor's HA mode does not support Notary"
with_ha=""
prepare_para=""
while [ $# -gt 0 ]; do
  case "$1" in
    --help) echo "$usage"; exit 0 ;;
    --ha) with_ha=true; prepare_para="$prepare_para --ha" ;;
    --with-clair) prepare_para="$prepare_para --with-clair" ;;
    --with-notary) prepare_para="$prepare_para --with-notary" ;;
    *) echo "$usage" >&2; error "unknown option: $1" ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || error "install.sh must run as root (it writes /data and binds ports 80/443)"
[ -n "$with_ha" ] || error "this Harbor stand-in supports only HA mode (external MariaDB and Redis): run ./install.sh --ha"

# Alive = /proc/PID/stat exists and is not a zombie (kill -0 succeeds on zombies).
alive() {
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  s="${s##*) }"
  [ "${s:0:1}" != Z ] && [ "${s:0:1}" != X ]
}

stop_previous() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'standin/server.py'; then
    echo "Stopping the running Harbor (stand-in) pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid"
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$PIDFILE"
}

wait_until_serving() {
  local pid="$1" url="http://127.0.0.1/api/systeminfo"
  grep -q '"ui_url_protocol": "https"' common/config/standin/config.json && url="https://127.0.0.1/api/systeminfo"
  for _ in $(seq 1 150); do
    if ! alive "$pid"; then
      tail -5 "$LOGDIR/standin.log" >&2
      error "Harbor (stand-in) exited at start-up; see $LOGDIR/standin.log"
    fi
    curl -skf -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.1
  done
  error "Harbor (stand-in) did not answer $url within 15 s; see $LOGDIR/standin.log"
}

h2 "checking installation environment"
echo "Note: harbor-ha lab stand-in for Harbor 1.4.0 (Harbor's containers cannot be downloaded here)"

h2 "preparing environment"
# shellcheck disable=SC2086
"$PYTHON" ./prepare $prepare_para || error "prepare failed: fix harbor.cfg as listed above"

h2 "checking the external database and Redis"
"$PYTHON" standin/checks.py common/config/standin/config.json \
  || error "Harbor cannot start with this harbor.cfg: the external services above refused it"

h2 "starting Harbor"
stop_previous
mkdir -p "$LOGDIR"
setsid "$PYTHON" standin/server.py --base "$workdir" --pidfile "$PIDFILE" \
  </dev/null >>"$LOGDIR/standin.log" 2>&1 &
pid=$!
wait_until_serving "$pid"

protocol="$(sed -n 's/.*"ui_url_protocol": "\(.*\)".*/\1/p' common/config/standin/config.json)"
hostname="$(sed -n 's/.*"hostname": "\(.*\)".*/\1/p' common/config/standin/config.json)"
echo
success "----Harbor has been installed and started successfully.----"
echo "Now you should be able to visit the admin portal at ${protocol}://${hostname}."

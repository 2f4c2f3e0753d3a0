#!/usr/bin/env bash
# Self-check of the lab's adminserver/ui/jobservice stand-ins against Harbor's own files and
# the real registry, nginx, MariaDB, Redis and skopeo -- all on loopback, without the lab:
#
#   sudo lab/selftest/selftest.sh [1.4|1.5|2.15|upgrade] [--keep]
#
# 2.15: Harbor 2.15.1's install.sh and prepare (goharbor/prepare's code through the docker
# shim), PostgreSQL and Redis from lab/databases, the 2.x stand-ins (lab/harbor2/), skopeo (selftest2x.py).
# upgrade: Harbor 2.13.4 installed, then 2.15.2 over it: core's real schema scripts (160, then
# 180), read-only mode, dirty / newer / failing schemas, the advisory lock (selftest_upgrade.py).
#
# It runs everything in private namespaces (network: loopback only; PIDs: all of it ends with
# the script) over an overlay of / whose changes live in a tmpfs, so Harbor's fixed paths
# (/data, /etc/ui, /etc/adminserver, ...) exist only for the test and nothing on this machine
# changes. Harbor's installer comes from ../shared/harbor/ beside the repository. Logs:
# /tmp/harbor-selftest.*/logs (removed at the end unless --keep or a check failed).
# Needs root, unshare, setpriv, ip, mariadbd, redis-server, docker-registry, nginx, skopeo, openssl,
# python3-pymysql/-cryptography/-yaml and Python 2.7 (pyenv 2.7.18) for Harbor's prepare; for 2.15
# postgresql, python3-psycopg2/-jinja2/-click/-packaging and apache2-utils instead of MariaDB/Python 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ -z "${SELFTEST_WORK:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "selftest.sh: needs root (namespaces, an overlay root, port 80)" >&2; exit 1; }
  work="$(mktemp -d /tmp/harbor-selftest.XXXXXX)"
  mkdir -p "$work/logs" "$work/ovl"
  rc=0
  SELFTEST_WORK="$work" unshare --mount --net --pid --fork --kill-child --mount-proc --propagation private \
    "$0" "$@" || rc=$?
  case " $* " in *" --keep "*) keep=1 ;; *) keep=0 ;; esac
  if [ "$rc" = 0 ] && [ "$keep" = 0 ]; then rm -rf "$work"; else echo "selftest: logs kept in $work/logs"; fi
  exit "$rc"
fi

# Inside the namespaces: loopback up, an overlay root over a tmpfs, then the driver in a chroot.
work="$SELFTEST_WORK"
ip link set lo up
mount -t tmpfs -o size=2g tmpfs "$work/ovl"
mkdir -p "$work/ovl/upper" "$work/ovl/wk" "$work/ovl/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/ovl/upper,workdir=$work/ovl/wk" "$work/ovl/root"
root="$work/ovl/root"
for d in proc dev sys; do mount --rbind "/$d" "$root/$d"; done
mount --bind "$work/logs" "$root$work/logs"
driver=selftest.py
case " $* " in *" 2.15 "*) driver=selftest2x.py ;; *" upgrade "*) driver=selftest_upgrade.py ;; esac
exec chroot "$root" /usr/bin/python3 "$here/$driver" "$work" "$@"

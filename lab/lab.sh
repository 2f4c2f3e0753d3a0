#!/usr/bin/env bash
# harbor-ha lab: real SSH hosts on this one machine (see docs/LAB.md).
#
#   scripts/lab.sh up [--lbs N] [--nodes N] [--protocol http|https]   (defaults: 2, 3, https)
#                     [--installer FILE | --harbor-version 1.4|1.5|2.N]  (default: Harbor
#                     1.4.0's offline installer in ../shared/harbor/)
#                     [--load-balancing lvs-dr|haproxy]  (default lvs-dr: the inventory's load_balancing)
#                     [--extra-migrations vX.Y.Z=PATH]...  (2.x: more *.up.sql for that release's core:
#                     a folder, .tgz or one file; also $HARBOR_HA_LAB_EXTRA_MIGRATIONS, space-separated)
#   scripts/lab.sh down
#   scripts/lab.sh status
#
# Each host is a set of namespaces (net, mount, uts, pid) with an overlay of / as its root
# and a real sshd, on bridge hha-br0 (198.18.0.0/24, no route out). State: .lab/
# (or $HARBOR_HA_LAB_DIR). Runs as root.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for part in hosts/hosts files inventory harbor down; do
  # shellcheck disable=SC1090
  source "$LAB_CODE/$part.sh"
done

# docker-registry, nginx-light: the real registry and proxy of the lab's Harbor nodes;
# skopeo: the client; python3-*: the stand-ins; apache2-utils: htpasswd. Harbor 2.x labs:
# postgresql (the db host), python3-jinja2/-click/-packaging/-distutils (the goharbor/prepare
# image's code), python3-psycopg2 (the core stand-in). haproxy, socat: load_balancing: haproxy
# (like keepalived, never started on this machine itself).
LAB_PACKAGES=(openssh-server openssh-client keepalived mariadb-server mariadb-client redis-server
  redis-tools iptables curl sudo python3 openssl procps iproute2 util-linux
  docker-registry nginx-light skopeo python3-yaml python3-cryptography python3-pymysql apache2-utils
  postgresql python3-jinja2 python3-click python3-packaging python3-distutils python3-psycopg2
  haproxy socat)

lab_install_packages() {
  local missing=() p
  for p in "${LAB_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  lab_log "installing ${missing[*]}"
  # policy-rc.d 101: the packages must not start their services on this machine.
  local policy=/usr/sbin/policy-rc.d created=0
  [[ -e "$policy" ]] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; created=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
  ((created)) && rm -f "$policy"
  return 0
}

LAB_UP_USAGE="lab.sh up [--lbs N] [--nodes N] [--protocol http|https] [--installer FILE | --harbor-version 1.4|1.5|2.N] [--load-balancing lvs-dr|haproxy] [--extra-migrations vX.Y.Z=PATH]..."

lab_parse_up_args() {
  LBS=2 NODES=3 PROTOCOL=https LOAD_BALANCING=lvs-dr
  local installer="" version=""
  # shellcheck disable=SC2206  # space-separated on purpose
  LAB_EXTRA_MIGRATIONS=(${HARBOR_HA_LAB_EXTRA_MIGRATIONS:-})
  while (($#)); do
    case "$1" in
      --lbs) LBS="${2:-}"; shift 2 ;;
      --nodes) NODES="${2:-}"; shift 2 ;;
      --protocol) PROTOCOL="${2:-}"; shift 2 ;;
      --installer) installer="${2:-}"; shift 2 ;;
      --harbor-version) version="${2:-}"; shift 2 ;;
      --load-balancing) LOAD_BALANCING="${2:-}"; shift 2 ;;
      --extra-migrations) LAB_EXTRA_MIGRATIONS+=("${2:-}"); shift 2 ;;
      *) lab_die "unknown option '$1' (usage: $LAB_UP_USAGE)" ;;
    esac
  done
  [[ -n "$installer" && -n "$version" ]] && lab_die "give --installer or --harbor-version, not both"
  [[ -n "$installer" ]] || installer="$(lab_installer_for_version "${version:-1.4}")"
  lab_read_installer "$installer"
  if ! [[ "$LBS" =~ ^[0-9]+$ ]] || ((LBS < 1 || LBS > LAB_MAX_LBS)); then
    lab_die "--lbs must be 1..$LAB_MAX_LBS, got '$LBS'"
  fi
  if ! [[ "$NODES" =~ ^[0-9]+$ ]] || ((NODES < 1 || NODES > LAB_MAX_NODES)); then
    lab_die "--nodes must be 1..$LAB_MAX_NODES, got '$NODES'"
  fi
  [[ "$PROTOCOL" == http || "$PROTOCOL" == https ]] || lab_die "--protocol must be http or https, got '$PROTOCOL'"
  [[ "$LOAD_BALANCING" == lvs-dr || "$LOAD_BALANCING" == haproxy ]] || lab_die "--load-balancing must be lvs-dr or haproxy, got '$LOAD_BALANCING'"
  if ((${#LAB_EXTRA_MIGRATIONS[@]})) && ((LAB_HARBOR_MAJOR != 2)); then
    lab_die "--extra-migrations is for Harbor 2.x labs (core's golang-migrate scripts); this lab runs Harbor $LAB_HARBOR_VERSION"
  fi
  local extra
  for extra in "${LAB_EXTRA_MIGRATIONS[@]}"; do
    [[ "$extra" =~ ^v?2\.[0-9]+\.[0-9]+=. && -e "${extra#*=}" ]] \
      || lab_die "--extra-migrations wants vX.Y.Z=PATH (a folder, .tgz or .up.sql file that exists), got '$extra'"
  done
}

# Harbor 1.x: MariaDB; Harbor 2.x: PostgreSQL. Redis for both.
lab_start_db_services() {
  local db_setup=mariadb-setup.sh db_name=MariaDB
  ((LAB_HARBOR_MAJOR == 2)) && db_setup=postgresql-setup.sh db_name=PostgreSQL
  {
    printf 'DB_IP=%q\nDB_PASSWORD=%q\n' "$LAB_DB_IP" "$(cat "$LAB_DIR/secrets/db-password")"
    cat "$LAB_CODE/databases/$db_setup" "$LAB_CODE/databases/redis-setup.sh"
  } | lab_nsenter db bash -s >"$LAB_DIR/hosts/db/services.log" 2>&1 \
    || lab_die "$db_name/Redis did not start in host db: $(tail -5 "$LAB_DIR/hosts/db/services.log")"
}

cmd_up() {
  lab_parse_up_args "$@"
  local t0=$SECONDS name ip role user
  ((LAB_HARBOR_MAJOR == 1)) && lab_find_python2
  lab_install_packages
  lab_down # recover from a crashed or half-finished up
  mkdir -p "$LAB_DIR"
  touch "$LAB_DIR/$LAB_MARKER"
  ((LAB_HARBOR_MAJOR == 2)) && lab_collect_releases
  mkdir -p "$LAB_DIR/hosts" "$LAB_DIR/shared/registry" "$LAB_DIR/shared/job_logs"
  lab_write_host_table "$LBS" "$NODES"
  lab_write_secrets
  lab_create_bridge
  while read -r name ip role user; do lab_start_host "$name" "$role"; done < <(lab_hosts)
  lab_write_tls # while the hosts boot
  while read -r name ip role user; do
    lab_find_init "$name"
    lab_wire_host "$name" "$ip"
  done < <(lab_hosts)
  lab_write_ssh_config
  lab_wait_sshd
  lab_start_db_services
  lab_write_inventory "$PROTOCOL" "$LOAD_BALANCING"
  lab_write_lab_json "$PROTOCOL"
  lab_log "up: db, $LBS load balancers, $NODES Harbor nodes ($PROTOCOL, Harbor $LAB_HARBOR_VERSION) in $((SECONDS - t0)) s"
  lab_log "inventory: $LAB_DIR/inventory.yaml   ssh: ssh -F $LAB_DIR/ssh/ssh_config harbor1"
}

cmd_status() {
  if [[ ! -f "$LAB_DIR/hosts.tsv" ]]; then
    echo "no lab in $LAB_DIR"
    [[ -e "/sys/class/net/$LAB_BRIDGE" ]] && echo "but bridge $LAB_BRIDGE exists (run: scripts/lab.sh down)"
    return 0
  fi
  local name ip role user pid state ssh
  printf '%-10s %-14s %-13s %-5s %-8s %-6s %s\n' HOST ADDRESS ROLE USER PID STATE SSH
  while read -r name ip role user; do
    pid="$(cat "$LAB_DIR/hosts/$name/pid" 2>/dev/null || echo -)"
    state=down
    lab_pid_alive "$pid" && lab_pid_is_host "$pid" "$name" && state=up
    ssh=no
    lab_tcp_open "$ip" 22 && ssh=yes
    printf '%-10s %-14s %-13s %-5s %-8s %-6s %s\n' "$name" "$ip" "$role" "$user" "$pid" "$state" "$ssh"
  done < <(lab_hosts)
  echo "inventory: $LAB_DIR/inventory.yaml"
}

main() {
  [[ "$(id -u)" == 0 ]] || lab_die "run as root (the lab creates namespaces, mounts and a bridge)"
  case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    down) lab_down; lab_log "down: nothing of the lab is left" ;;
    status) cmd_status ;;
    *) echo "usage: ${LAB_UP_USAGE/lab.sh/scripts/lab.sh} | down | status" >&2; exit 2 ;;
  esac
}

main "$@"

#!/usr/bin/env bash
# Puts Harbor 2.x on one node of a `lab.sh up --harbor-version 2.15` lab by hand, as an operator
# would before harbor-ha renders harbor.yml itself (the tool does not support 2.x yet):
#
#   lab/harbor2/harbor2-node.sh NODE [--install] [--create-database] [--set dotted.key=VALUE]...
#
# - the lab's installer bundle extracted to /opt/harbor (once);
# - /opt/harbor/harbor.yml from the bundle's own harbor.yml.tmpl (harbor2-yml.py): hostname
#   registry.lab.test, https with the lab's certificate (/data/cert/), the lab's admin password,
#   external_database (the db host's PostgreSQL, role harbor, database registry), external_redis
#   (the db host's Redis), data_volume /data; --set overrides any key (YAML value, e.g.
#   --set jobservice.max_job_workers=3);
# - the cluster's shared secrets pre-seeded under /data/secret (keys/secretkey,
#   core/private_key.pem, registry/root.crt; made once in .lab/secrets/harbor2/): Harbor's
#   prepare reuses them, so every node signs and accepts the same registry tokens;
# - --create-database: `CREATE DATABASE registry` as the lab's harbor role, from NODE (the job
#   the tool will do when asked; the lab only provides a role allowed to create databases);
# - --install: Harbor's own ./install.sh in /opt/harbor (its output and exit status are this
#   script's). It returns right after `docker compose up -d`: core answers a moment later.
# Secrets go over ssh's stdin, never on a command line. Runs as root on this machine.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

node="${1:-}"
[[ -n "$node" && "$node" != -* ]] || lab_die "usage: $0 NODE [--install] [--create-database] [--set dotted.key=VALUE]..."
shift
install=0 create_db=0 sets=()
while (($#)); do
  case "$1" in
    --install) install=1; shift ;;
    --create-database) create_db=1; shift ;;
    --set) [[ "${2:-}" == *=* ]] || lab_die "--set needs dotted.key=VALUE"; sets+=("$2"); shift 2 ;;
    *) lab_die "unknown option '$1'" ;;
  esac
done
[[ -f "$LAB_DIR/lab.json" ]] || lab_die "no lab in $LAB_DIR (run scripts/lab.sh up --harbor-version 2.15)"
lab_json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$LAB_DIR/lab.json" "$1"; }
version="$(lab_json 'd["harborVersion"]')"
[[ "$version" == 2.* ]] || lab_die "the lab runs Harbor $version; this script is for a Harbor 2.x lab"
installer="$(lab_json 'd["installer"]')"
awk -v n="$node" '$1 == n && $3 == "harbor-node" { found = 1 } END { exit !found }' "$LAB_DIR/hosts.tsv" \
  || lab_die "'$node' is not a Harbor node of the lab (see $LAB_DIR/hosts.tsv)"
ssh_node() { ssh -F "$LAB_DIR/ssh/ssh_config" -l root "$node" "$@"; }

# The cluster's shared secrets, made once: what every node's prepare must find.
shared="$LAB_DIR/secrets/harbor2"
if [[ ! -f "$shared/root.crt" ]]; then
  (
    umask 077
    mkdir -p "$shared"
    lab_random 16 >"$shared/secretkey"   # prepare insists on 16 characters
    openssl genrsa -traditional -out "$shared/private_key.pem" 4096 2>/dev/null   # PKCS#1, as libtrust reads it
    openssl req -new -x509 -days 3650 -key "$shared/private_key.pem" -out "$shared/root.crt" \
      -subj "/CN=harbor-token-issuer" 2>/dev/null
  ) || lab_die "cannot make the shared secrets in $shared"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
mkdir -p "$stage/data/cert" "$stage/data/secret/keys" "$stage/data/secret/core" "$stage/data/secret/registry" "$stage/opt/harbor"
cp "$LAB_DIR/tls/server.crt" "$LAB_DIR/tls/server.key" "$stage/data/cert/"
cp "$shared/secretkey" "$stage/data/secret/keys/"
cp "$shared/private_key.pem" "$stage/data/secret/core/"
cp "$shared/root.crt" "$stage/data/secret/registry/"
chmod 600 "$stage/data/cert/server.key" "$stage/data/secret/keys/secretkey" "$stage/data/secret/core/private_key.pem"

tar -xzOf "$installer" harbor/harbor.yml.tmpl >"$work/harbor.yml.tmpl" || lab_die "no harbor/harbor.yml.tmpl in $installer"
db_port="$(lab_json 'd["database"]["port"]')"
# The settings harbor2-yml.py takes; the passwords are read from the lab's secret files here.
# shellcheck disable=SC2016  # python, not shell
python3 -c '
import json, sys, yaml
secrets, db_ip, db_port, sets = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
read = lambda name: open("%s/%s" % (secrets, name)).read().strip()
print(json.dumps({
    "hostname": "registry.lab.test", "protocol": "https",
    "certificate": "/data/cert/server.crt", "private_key": "/data/cert/server.key",
    "admin_password": read("harbor-admin-password"), "data_volume": "/data", "redis": "%s:6379" % db_ip,
    "db": {"host": db_ip, "port": db_port, "name": "registry", "user": "harbor", "password": read("db-password")},
    "set": {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in sets)},
}))' "$LAB_DIR/secrets" "$LAB_DB_IP" "$db_port" "${sets[@]}" >"$work/settings.json"
"$LAB_CODE/harbor2/harbor2-yml.py" "$work/harbor.yml.tmpl" <"$work/settings.json" >"$stage/opt/harbor/harbor.yml"
chmod 600 "$stage/opt/harbor/harbor.yml"

# Harbor's bundle, once; then harbor.yml, the certificate and the shared secrets.
if ! ssh_node test -x /opt/harbor/install.sh; then
  ssh_node 'mkdir -p /opt && tar -xzf - -C /opt' <"$installer" || lab_die "$node: cannot extract $installer into /opt"
fi
tar -C "$stage" -cf - data opt | ssh_node 'tar -xf - --no-same-owner -C /' || lab_die "$node: cannot write harbor.yml and the secrets"
lab_log "$node: /opt/harbor/harbor.yml written, shared secrets in /data/secret"

if ((create_db)); then
  {
    printf 'export PGPASSWORD=%q\n' "$(cat "$LAB_DIR/secrets/db-password")"
    printf 'psql -h %q -p %q -U harbor -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE registry"\n' "$LAB_DB_IP" "$db_port"
  } | ssh_node bash -s || lab_die "$node: CREATE DATABASE registry failed"
  lab_log "$node: created the database registry as the harbor role"
fi

if ((install)); then
  ssh_node 'cd /opt/harbor && TERM=dumb ./install.sh'
fi

# shellcheck shell=bash
# Runs inside the lab's db host for a Harbor 2.x lab (fed on stdin by lab.sh after DB_IP and
# DB_PASSWORD assignments, so the secret never appears on a command line).
# Starts a fresh PostgreSQL (Debian's) with a role `harbor` that may log in from the lab
# network with the lab's db password and may create databases. The `registry` database is
# NOT created: Harbor 2.x's core migrates its own schema into an existing database, and
# creating that empty database (or checking it is there) is the tool's job.
set -euo pipefail

pg_bin="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)"   # the newest Debian ships
data=/var/lib/postgresql/lab
rm -rf "$data"
mkdir -p "$data" /run/postgresql /var/log/postgresql
chown postgres:postgres "$data" /run/postgresql /var/log/postgresql
chmod 700 "$data"
runuser -u postgres -- "$pg_bin/initdb" -D "$data" --auth-local=peer --auth-host=scram-sha-256 \
  --encoding=UTF8 --locale=C.UTF-8 >/var/log/postgresql/initdb.log 2>&1
cat >>"$data/postgresql.conf" <<CONF
# harbor-ha lab
listen_addresses = '$DB_IP,127.0.0.1'
port = 5432
unix_socket_directories = '/run/postgresql'
shared_buffers = 32MB
password_encryption = scram-sha-256
CONF
cat >"$data/pg_hba.conf" <<CONF
# harbor-ha lab: postgres over the local socket (peer); everyone else with a password.
local all postgres peer
host  all all 198.18.0.0/24 scram-sha-256
host  all all 127.0.0.0/8   scram-sha-256
CONF
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data" -l /var/log/postgresql/postgresql.log -w -t 30 start >/dev/null \
  || { tail -5 /var/log/postgresql/postgresql.log >&2; exit 1; }
# The password reaches psql on stdin, as a literal with its quotes doubled.
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres <<SQL
CREATE ROLE harbor LOGIN CREATEDB PASSWORD '${DB_PASSWORD//\'/\'\'}';
SQL

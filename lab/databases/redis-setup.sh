# shellcheck shell=bash
# Runs inside the lab's db host after db-setup.sh or postgresql-setup.sh (fed on stdin by
# lab.sh with DB_IP set). Starts a fresh Redis.
set -euo pipefail

# --- Redis without a password: Harbor 1.x's HA registry config puts redis_url verbatim
# into redis.addr, so a password there breaks the registry (Harbor issues #5275, #6299).
# Reachable on the lab network only (no route out); protected-mode would refuse it.
mkdir -p /var/lib/redis /var/log/redis /run/redis
cat >/etc/redis/redis.conf <<EOF
bind $DB_IP 127.0.0.1
port 6379
protected-mode no
daemonize yes
pidfile /run/redis/redis-server.pid
logfile /var/log/redis/redis-server.log
dir /var/lib/redis
save ""
appendonly no
EOF
chmod 600 /etc/redis/redis.conf
redis-server /etc/redis/redis.conf
for _ in $(seq 1 50); do
  [[ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" == PONG ]] && exit 0
  sleep 0.1
done
echo "redis did not answer; see /var/log/redis/redis-server.log" >&2
exit 1

# shellcheck shell=bash
# Runs inside the lab's db host (fed on stdin by lab.sh after DB_IP and DB_PASSWORD
# assignments, so the secret never appears on a command line).
# Starts a fresh MariaDB for a Harbor 1.x lab (redis-setup.sh follows it). The registry
# database is NOT created: loading Harbor's schema is the tool's job.
set -euo pipefail

# --- MariaDB: a fresh data directory on the host's tmpfs upper layer.
rm -rf /var/lib/mysql
mkdir -p /var/lib/mysql /run/mysqld /var/log/mysql
chown mysql:mysql /var/lib/mysql /run/mysqld /var/log/mysql
cat >/etc/mysql/mariadb.conf.d/99-lab.cnf <<EOF
[mariadbd]
bind-address = $DB_IP
port = 3306
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 64M
innodb_log_file_size = 16M
EOF
mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
  --auth-root-authentication-method=socket >/var/log/mysql/install.log 2>&1
setsid mariadbd --user=mysql </dev/null >>/var/log/mysql/mariadbd.log 2>&1 &
for _ in $(seq 1 100); do
  mariadb-admin --protocol=socket ping >/dev/null 2>&1 && break
  sleep 0.1
done
mariadb-admin --protocol=socket ping >/dev/null || { tail -5 /var/log/mysql/mariadbd.log >&2; exit 1; }
mariadb --protocol=socket <<EOF
CREATE USER 'harbor'@'198.18.0.%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`registry\`.* TO 'harbor'@'198.18.0.%';
FLUSH PRIVILEGES;
EOF

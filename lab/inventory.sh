# shellcheck shell=bash
# Writes .lab/inventory.yaml: the lab as the tool sees it (sourced by lab.sh).

lab_db_port() { if ((LAB_HARBOR_MAJOR == 2)); then echo 5432; else echo 3306; fi; }

# Harbor 2.x has Trivy, not Clair; the tool may create its empty database (the lab has none).
lab_scanner_line() { if ((LAB_HARBOR_MAJOR == 2)); then echo "  with_trivy: true"; else echo "  with_clair: false"; fi; }
lab_database_create_line() { if ((LAB_HARBOR_MAJOR == 2)); then echo "  create: true"; fi; }

lab_write_inventory() {
  local protocol="$1" load_balancing="${2:-lvs-dr}" inv="$LAB_DIR/inventory.yaml" name ip role user
  {
    cat <<EOF
# harbor-ha lab inventory, written by scripts/lab.sh up; rewritten on every up.
#   harbor-ha validate $inv
#   harbor-ha provision $inv
cluster:
  name: lab
  vip: $LAB_VIP/24
  hostname: registry.lab.test
  protocol: $protocol
  harbor_version: $LAB_HARBOR_VERSION

ssh:
  user: root
  private_key: $(lab_quote "$LAB_DIR/ssh/id_ed25519")
  known_hosts: $(lab_quote "$LAB_DIR/ssh/known_hosts")
  connect_timeout_s: 5

load_balancers:
EOF
    while read -r name ip role user; do
      [[ "$role" == loadbalancer ]] && printf '  - name: %s\n    address: %s\n    interface: eth0\n' "$name" "$ip"
    done < <(lab_hosts)
    cat <<EOF

keepalived:
  virtual_router_id: 51
  advert_int: 1
  auth_pass: \${file:secrets/vrrp-pass}
  vrrp_mode: unicast
  check_timeout_s: 3
  # This kernel has no IPVS, and keepalived exits at start-up when virtual_server
  # blocks need it: the lab runs VRRP only. The full configuration is still checked
  # with keepalived -t.
  daemon_options: "--vrrp -D"
  # With --vrrp keepalived runs no checker, so a roll has nothing to wait for at a drain
  # (it waits one checker period, delay_loop + check_timeout_s, where checkers run unseen).
  delay_loop: 1
EOF
    if [[ "$load_balancing" == haproxy ]]; then
      cat <<EOF

# HAProxy behind the VIP spreads TCP 80/443 (it needs no IPVS: requests through the VIP work here).
load_balancing: haproxy
haproxy:
  check_interval_s: 1
  fall: 2
  rise: 2
  drain_timeout_s: 60
EOF
    fi
    cat <<EOF

harbor_nodes:
EOF
    while read -r name ip role user; do
      [[ "$role" == harbor-node ]] || continue
      printf '  - name: %s\n    address: %s\n' "$name" "$ip"
      [[ "$user" != root ]] && printf '    ssh: { user: %s, sudo: true }\n' "$user"
    done < <(lab_hosts)
    cat <<EOF

installer:
  bundle: $(lab_quote "$LAB_INSTALLER")   # Harbor's own offline installer; the tool reads ha/registry.sql from it
  install_dir: /opt

harbor:
  admin_password: \${file:secrets/harbor-admin-password}
$(lab_scanner_line)

database:                     # Harbor 1.x: MariaDB; 2.x: PostgreSQL (role harbor, CREATEDB; no registry database yet)
  host: $LAB_DB_IP
  port: $(lab_db_port)
  user: harbor
  password: \${file:secrets/db-password}
$(lab_database_create_line)

redis:                        # no password: Harbor 1.x puts redis_url verbatim into the registry's redis.addr
  host: $LAB_DB_IP
  port: 6379

storage:
  type: mounted               # .lab/shared, bind-mounted on every Harbor host (no NFS in this kernel)
  registry_path: /data/registry
  job_logs_path: /data/job_logs

tls:
  certificate: $(lab_quote "$LAB_DIR/tls/server.crt")
  key: $(lab_quote "$LAB_DIR/tls/server.key")
  ca: $(lab_quote "$LAB_DIR/tls/ca.crt")
EOF
  } >"$inv"
}

# shellcheck shell=bash
# `lab.sh up --hand-built`: Harbor put on the lab's nodes the way readers of Harbor's HA guide did,
# with no harbor-ha involved — for adopt to be tried on (docs/LAB.md).
#
# Harbor 1.x (the guide, v1.4.0's docs/high_availability_installation_guide.md):
#   - the offline bundle extracted to /opt/harbor on every node; harbor.cfg edited with sed from
#     the bundle's own (hostname, protocol, the lab's certificate at /data/cert, the db host's
#     MariaDB and Redis, the admin password);
#   - ha/registry.sql loaded into MariaDB by hand, once, from the first node;
#   - the first node installed with `install.sh --ha` (prepare's shared-storage question answered
#     yes); then its secretkey and the ha/ copies prepare kept (token key pair, TLS pair) copied to
#     every other node before that node's install.sh --ha;
#   - on every load balancer the bundle's ha/sample/active_active/keepalived_active_active.conf
#     with the guide's placeholders replaced (VIP, interface, the nodes) and its check.sh in
#     /usr/local/bin; keepalived started with --vrrp (the lab's kernel has no IPVS: docs/LAB.md).
# Harbor 2.x: lab/harbor2/harbor2-node.sh on every node (the shared secrets pre-seeded where
# prepare reuses them; the database created from the first node), keepalived as for 1.x.
# Secrets travel over ssh's stdin, never on a command line.

lab_hb_ssh() { ssh -F "$LAB_DIR/ssh/ssh_config" -l root "$@"; }

lab_hand_build() {
  local nodes=() lbs=() name role
  while read -r name _ role _; do
    [[ "$role" == harbor-node ]] && nodes+=("$name")
    [[ "$role" == loadbalancer ]] && lbs+=("$name")
  done < <(lab_hosts)
  if ((LAB_HARBOR_MAJOR == 2)); then
    lab_hand_build_harbor2 "${nodes[@]}"
  else
    lab_hand_build_harbor1 "${nodes[@]}"
  fi
  for name in "${lbs[@]}"; do lab_hand_build_keepalived "$name"; done
  lab_log "hand-built: Harbor $LAB_HARBOR_VERSION on ${#nodes[@]} nodes, keepalived from the guide's sample on ${#lbs[@]} load balancers"
}

lab_hand_build_harbor2() {
  local first=1 node
  for node in "$@"; do
    if ((first)); then
      "$LAB_CODE/harbor2/harbor2-node.sh" "$node" --create-database --install >"$LAB_DIR/hosts/$node/hand-built.log" 2>&1 \
        || lab_die "$node: hand-built install failed: $(tail -5 "$LAB_DIR/hosts/$node/hand-built.log")"
      first=0
    else
      "$LAB_CODE/harbor2/harbor2-node.sh" "$node" --install >"$LAB_DIR/hosts/$node/hand-built.log" 2>&1 \
        || lab_die "$node: hand-built install failed: $(tail -5 "$LAB_DIR/hosts/$node/hand-built.log")"
    fi
  done
}

# harbor.cfg as the guide's reader edits it, from the bundle's own.
lab_hand_build_cfg_script() {
  local admin db
  admin="$(cat "$LAB_DIR/secrets/harbor-admin-password")"
  db="$(cat "$LAB_DIR/secrets/db-password")"
  cat <<EOF
set -e
cd /opt/harbor
sed -i \\
  -e 's|^hostname = .*|hostname = registry.lab.test|' \\
  -e 's|^ui_url_protocol = .*|ui_url_protocol = $PROTOCOL|' \\
  -e 's|^db_host = .*|db_host = $LAB_DB_IP|' \\
  -e 's|^db_user = .*|db_user = harbor|' \\
  -e 's|^db_password = .*|db_password = $db|' \\
  -e 's|^redis_url =.*|redis_url = $LAB_DB_IP:6379|' \\
  -e 's|^harbor_admin_password = .*|harbor_admin_password = $admin|' \\
  harbor.cfg
chmod 600 harbor.cfg
mkdir -p /data/cert
EOF
}

lab_hand_build_harbor1() {
  local first="$1" node log
  for node in "$@"; do
    lab_hb_ssh "$node" 'mkdir -p /opt && tar -xzf - -C /opt' <"$LAB_INSTALLER" || lab_die "$node: cannot extract $LAB_INSTALLER"
    lab_hand_build_cfg_script | lab_hb_ssh "$node" bash -s || lab_die "$node: cannot edit harbor.cfg"
    tar -C "$LAB_DIR/tls" -cf - server.crt server.key | lab_hb_ssh "$node" 'tar -xf - --no-same-owner -C /data/cert && chmod 600 /data/cert/server.key' \
      || lab_die "$node: cannot copy the certificate"
  done
  # prepare (customize_crt = on) makes the token key with `openssl genrsa`, which wrote PKCS#1 on the
  # OpenSSL 1.0 of Harbor 1.x's days but writes PKCS#8 here, which Harbor 1.4's UI cannot load (docs/
  # LAB.md): the first node gets the key that era's prepare made, in ha/, where prepare --ha takes it.
  # shellcheck disable=SC2016  # expanded on the first node
  lab_hb_ssh "$first" 'set -e; cd /opt/harbor && mkdir -p ha
    openssl genrsa -traditional -out ha/private_key.pem 4096 2>/dev/null
    openssl req -new -x509 -key ha/private_key.pem -out ha/root.crt -days 3650 -subj /C=CN/ST=PEK/L=Beijing/O=VMware/CN=HarborCA 2>/dev/null
    chmod 600 ha/private_key.pem ha/root.crt' || lab_die "$first: cannot make the token key pair"
  # ha/registry.sql by hand, once (the guide: "mysql -h <db> -u <user> -p < registry.sql").
  printf 'export MYSQL_PWD=%q\nmysql -h %q -u harbor < /opt/harbor/ha/registry.sql\n' "$(cat "$LAB_DIR/secrets/db-password")" "$LAB_DB_IP" \
    | lab_hb_ssh "$first" bash -s || lab_die "$first: loading ha/registry.sql failed"
  for node in "$@"; do
    if [[ "$node" != "$first" ]]; then
      # The guide: the other nodes get the first node's secretkey (and prepare's ha/ copies of the keys).
      # shellcheck disable=SC2016  # expanded on the first node
      lab_hb_ssh "$first" 'cd / && tar -cf - data/secretkey $(cd / && ls opt/harbor/ha/secretkey opt/harbor/ha/private_key.pem opt/harbor/ha/root.crt opt/harbor/ha/server.crt opt/harbor/ha/server.key 2>/dev/null)' \
        | lab_hb_ssh "$node" 'tar -xf - -C /' || lab_die "$node: cannot copy $first's secretkey"
    fi
    log="$LAB_DIR/hosts/$node/hand-built.log"
    lab_hb_ssh "$node" 'cd /opt/harbor && echo yes | TERM=dumb ./install.sh --ha' >"$log" 2>&1 \
      || lab_die "$node: install.sh --ha failed: $(tail -5 "$log")"
    lab_hand_build_wait_harbor "$node" /api/systeminfo
  done
}

lab_hand_build_wait_harbor() {
  local node="$1" path="$2" i code=""
  for ((i = 0; i < 240; i++)); do
    code="$(lab_hb_ssh "$node" "curl -ks -o /dev/null -w '%{http_code}' $PROTOCOL://127.0.0.1$path" 2>/dev/null || true)"
    [[ "$code" == 200 ]] && return 0
    sleep 0.5
  done
  lab_die "$node: Harbor did not answer $path after install.sh (last status $code)"
}

lab_hand_build_keepalived() {
  local lb="$1" sample nodes_ips=() name ip role port=80 bundle="$LAB_INSTALLER"
  # Harbor 2.x's bundle has no ha/ folder: the guide's sample is 1.4's.
  ((LAB_HARBOR_MAJOR == 2)) && bundle="$(lab_installer_for_version 1.4)"
  sample="$(mktemp -d)"
  tar -xzf "$bundle" -C "$sample" harbor/ha/sample/active_active/keepalived_active_active.conf harbor/ha/sample/active_active/check.sh 2>/dev/null \
    || lab_die "no ha/sample/active_active in $bundle"
  while read -r name ip role _; do [[ "$role" == harbor-node ]] && nodes_ips+=("$ip"); done < <(lab_hosts)
  [[ "$PROTOCOL" == https ]] && port=443
  python3 - "$sample/harbor/ha/sample/active_active/keepalived_active_active.conf" "$LAB_VIP" "$port" "${nodes_ips[@]}" \
    >"$sample/keepalived.conf" <<'PY' || lab_die "cannot fill in the guide's keepalived sample"
import sys
text, vip, port, nodes = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4:]
head, _, _ = text.partition("########## Section for Harbor use HTTP protocol")
head = head.replace("ens160", "eth0").replace("<change_to_VIP_address>/32", vip + "/24")
# One virtual_server for the lab's port, one real_server per node, as the guide's reader writes them.
reals = "".join(
    "  real_server %s %s {\n    weight 10\n    MISC_CHECK {\n        misc_path \"/usr/local/bin/check.sh %s\"\n"
    "        misc_timeout 5\n    }\n  }\n\n" % (ip, port, ip) for ip in nodes)
print(head + "virtual_server %s %s {\n  delay_loop 15\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n"
      "  nat_mask 255.255.255.0\n  persistence_timeout 10\n\n%s}\n" % (vip, port, reals))
PY
  cp "$sample/harbor/ha/sample/active_active/check.sh" "$sample/check.sh"
  # shellcheck disable=SC2016  # expanded on the load balancer
  tar -C "$sample" -cf - keepalived.conf check.sh | lab_hb_ssh "$lb" 'set -e; d=$(mktemp -d); tar -xf - -C "$d"
    install -m 644 "$d/keepalived.conf" /etc/keepalived/keepalived.conf
    install -m 755 "$d/check.sh" /usr/local/bin/check.sh
    echo "DAEMON_ARGS=\"--vrrp -D\"" >/etc/default/keepalived
    rm -rf "$d"; service keepalived start >/dev/null' || lab_die "$lb: cannot set up keepalived from the guide's sample"
  rm -rf "$sample"
}

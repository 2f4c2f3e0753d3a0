# shellcheck shell=bash
# The lab's local files: keys, secrets, certificates, SSH config, lab.json (sourced by lab.sh).

# hosts.tsv: name ip role ssh_user; the db host is not in the inventory but is reachable.
lab_write_host_table() {
  local lbs="$1" nodes="$2" i
  {
    printf 'db\t%s\tdb\troot\n' "$LAB_DB_IP"
    for ((i = 1; i <= lbs; i++)); do printf 'lb%d\t%s.%d\tloadbalancer\troot\n' "$i" "$LAB_NET" $((10 + i)); done
    for ((i = 1; i <= nodes; i++)); do
      printf 'harbor%d\t%s.%d\tharbor-node\t%s\n' "$i" "$LAB_NET" $((20 + i)) "$(lab_ssh_user "harbor$i")"
    done
  } >"$LAB_DIR/hosts.tsv"
  {
    printf '%s\tregistry.lab.test\n' "$LAB_VIP"
    while read -r name ip _; do printf '%s\t%s\n' "$ip" "$name"; done <"$LAB_DIR/hosts.tsv"
  } >"$LAB_DIR/etc-hosts"
}

lab_write_secrets() {
  local s="$LAB_DIR/secrets"
  mkdir -m 700 "$s"
  (
    umask 077
    lab_random 8 >"$s/vrrp-pass"   # keepalived uses at most 8 characters
    lab_random 24 >"$s/db-password"
    lab_random 16 >"$s/harbor-admin-password"
  )
  mkdir -m 700 "$LAB_DIR/ssh"
  ssh-keygen -q -t ed25519 -N '' -C "harbor-ha-lab" -f "$LAB_DIR/ssh/id_ed25519"
}

# A CA and a server certificate for registry.lab.test and the VIP.
lab_write_tls() {
  local t="$LAB_DIR/tls"
  mkdir -p "$t"
  (
    cd "$t" || exit 1
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=harbor-ha lab CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
      -subj "/CN=registry.lab.test" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:registry.lab.test,IP:$LAB_VIP" "basicConstraints=CA:FALSE" \
      "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
      -extfile server.ext -out server.crt 2>/dev/null
    chmod 644 ca.crt server.crt
    rm -f server.csr server.ext ca.srl
    # A folder for `skopeo --cert-dir` / `--dest-cert-dir` (it trusts every *.crt in it).
    mkdir -p cert-dir && cp ca.crt cert-dir/ca.crt
  ) || lab_die "cannot create the lab certificates in $t"
}

# known_hosts from the hosts' own keys (so strict checking is real) and an ssh_config.
lab_write_ssh_config() {
  local k="$LAB_DIR/ssh/known_hosts" c="$LAB_DIR/ssh/ssh_config" name ip _
  : >"$k"
  {
    echo "# harbor-ha lab: ssh -F $c <host>"
    while read -r name ip _; do
      printf '%s,%s %s\n' "$name" "$ip" "$(cut -d' ' -f1,2 "$LAB_DIR/hosts/$name/ssh_host_ed25519_key.pub")" >>"$k"
      printf '\nHost %s\n  HostName %s\n  User root\n' "$name" "$ip"
    done < <(lab_hosts)
    # Quoted: the checkout, and so the lab folder, may be anywhere (a path with spaces).
    printf '\nHost *\n  IdentityFile "%s"\n  IdentitiesOnly yes\n' "$LAB_DIR/ssh/id_ed25519"
    printf '  UserKnownHostsFile "%s"\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n' "$k"
    printf '  BatchMode yes\n  ConnectTimeout 5\n  LogLevel ERROR\n'
    # The default sntrup761 key exchange costs ~110 ms per connection on this machine.
    printf '  KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org\n'
  } >"$c"
}

# lab.json: what the test helpers read (hosts, paths, protocol).
lab_write_lab_json() {
  local protocol="$1" first=1 name ip role user
  {
    printf '{\n  "dir": %s,\n  "inventory": %s,\n' "$(lab_quote "$LAB_DIR")" "$(lab_quote "$LAB_DIR/inventory.yaml")"
    printf '  "sshConfig": %s,\n  "protocol": "%s",\n  "vip": "%s",\n' \
      "$(lab_quote "$LAB_DIR/ssh/ssh_config")" "$protocol" "$LAB_VIP"
    printf '  "harborVersion": "%s",\n  "installer": %s,\n  "certDir": %s,\n' \
      "$LAB_HARBOR_VERSION" "$(lab_quote "$LAB_INSTALLER")" "$(lab_quote "$LAB_DIR/tls/cert-dir")"
    # 2.x: the releases the nodes' docker runs (.lab/releases; an upgrade can go to any of them).
    printf '  "releases": [%s],\n' "$( ((LAB_HARBOR_MAJOR == 2)) && find "$LAB_DIR/releases" -mindepth 1 -maxdepth 1 -name 'v2.*' -printf '"%f"\n' | sed 's/"v/"/' | sort -V | paste -sd, -)"
    printf '  "database": {"engine": "%s", "port": %s},\n  "hosts": [\n' \
      "$( ((LAB_HARBOR_MAJOR == 2)) && echo postgresql || echo mariadb)" "$(lab_db_port)"
    while read -r name ip role user; do
      ((first)) || printf ',\n'
      first=0
      printf '    {"name": "%s", "address": "%s", "role": "%s", "sshUser": "%s", "pid": %s, "initPid": %s}' \
        "$name" "$ip" "$role" "$user" "$(cat "$LAB_DIR/hosts/$name/pid")" "$(cat "$LAB_DIR/hosts/$name/initpid")"
    done < <(lab_hosts)
    printf '\n  ]\n}\n'
  } >"$LAB_DIR/lab.json"
}

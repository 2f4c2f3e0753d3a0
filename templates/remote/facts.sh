#!/bin/sh
# harbor-ha facts: answers the fact queries of one host in one round trip, read-only.
# Queries arrive on stdin as TAB-separated lines (kind, then fields); every answer is one
# TAB-separated line on stdout. src/facts/parse.ts reads them. POSIX sh plus coreutils.
set -u
T=$(printf '\t')
printf 'facts\t1\n'
if [ -d /run/systemd/system ]; then printf 'init\tsystemd\n'; else printf 'init\tsysv\n'; fi
# Every query is read first: the file queries are answered together, with one stat, one
# sha256sum and one awk for all files (forks dominate the cost of this script).
queries=$(cat)
# The probes that wait on something (a program's start-up, the network, Harbor) run at once, in
# the background, each answer into its own file, printed after the rest. Without a temporary
# folder they run one after the other.
probes=$(mktemp -d 2>/dev/null) || probes=
trap '[ -z "$probes" ] || rm -rf -- "$probes"' EXIT
n=0
spawn() {
  n=$((n + 1))
  if [ -n "$probes" ]; then "$@" >"$probes/$n" </dev/null & else "$@" </dev/null; fi
}
probe_tcp() {
  # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash, on purpose
  if timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; then s=open; else s=closed; fi
  printf 'tcp\t%s:%s\t%s\n' "$1" "$2" "$s"
}
probe_http() {
  code=$(curl -ksS -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 -- "$1" 2>/dev/null)
  printf 'http\t%s\t%s\n' "$1" "${code:-000}"
}
probe_ping() {
  if ! command -v ping >/dev/null 2>&1; then s=unknown
  elif ping -c 1 -W 1 -- "$1" >/dev/null 2>&1; then s=answers; else s=silent; fi
  printf 'ping\t%s\t%s\n' "$1" "$s"
}
probe_version() {
  # What `PROGRAM --version` prints, stdout and stderr together (Python 2 prints its version on
  # stderr), and its exit status; "missing" when there is no such program. With the program
  # file's identity (device, inode, size, mtime, ctime; through symlinks): when it is the one
  # the caller names ($2), "same" — the caller knows that file's answer, and it is not run.
  if p=$(command -v "$1" 2>/dev/null); then
    id=$(stat -L -c '%d:%i:%s:%Y:%Z' -- "$p" 2>/dev/null) || id=
    if [ -n "$id" ] && [ "$id" = "$2" ]; then printf 'version\t%s\tsame\t-\t%s\n' "$1" "$id"; return; fi
    v=$(timeout 20 "$1" --version 2>&1; echo "harbor-ha-exit:$?")
    printf 'version\t%s\t%s\t%s\t%s\n' "$1" "${v##*harbor-ha-exit:}" "$(printf '%s' "${v%harbor-ha-exit:*}" | head -c 4096 | base64 -w0)" "$id"
  else printf 'version\t%s\tmissing\n' "$1"; fi
}
probe_harbor_api() {
  # $2: curl's config (the credentials), base64, from stdin: never on a command line.
  out=$(printf '%s' "$2" | base64 -d | curl -ksS -K - --connect-timeout 2 --max-time 10 -w '\nharbor-ha-status:%{http_code}' -- "$1" 2>&1)
  printf 'harbor-api\t%s\t%s\t%s\n' "$1" "${out##*harbor-ha-status:}" "$(printf '%s' "${out%harbor-ha-status:*}" | head -c 65536 | base64 -w0)"
}
files=$(printf '%s\n' "$queries" | awk -F "$T" '$1 == "file" { print $2 }')
if [ -n "$files" ]; then
  {
    printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 stat -c "S$T%n$T%a:%U:%G:%u:%g" -- 2>/dev/null
    printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 sha256sum -- 2>/dev/null | awk -v t="$T" '{ print "H" t substr($0, 67) t substr($0, 1, 64) }'
    printf '%s\n' "$queries" | awk -F "$T" -v t="$T" '$1 == "file" { print "Q" t $2 t $3 t $4 }'
  } | awk -F "$T" -v t="$T" '
    $1 == "S" { st[$2] = $3; next }
    $1 == "H" { sum[$2] = $3; next }
    $1 == "Q" {
      # Present means a readable regular file, as [ -f ] did: sha256sum skips directories.
      if (($2 in st) && ($2 in sum)) {
        print "file" t $2 t "present" t st[$2] t sum[$2]
        if (sum[$2] != $3 && $4 == "show") print "need" t $2
      } else print "file" t $2 t "absent"
    }' | while IFS="$T" read -r kind a; do
      if [ "$kind" = need ]; then
        printf 'content\t%s\t' "$a"
        base64 -w0 < "$a"
        echo
      else
        printf '%s\t%s\n' "$kind" "$a"
      fi
    done
fi
while IFS="$T" read -r kind a b _; do
  case "$kind" in
  dir)
    if [ -d "$a" ]; then printf 'dir\t%s\tpresent\t%s\n' "$a" "$(stat -c '%a:%U:%G:%u:%g' -- "$a")"
    else printf 'dir\t%s\tabsent\n' "$a"; fi ;;
  pkg)
    if dpkg-query -W -f='${Status}' "$a" 2>/dev/null | grep -q 'install ok installed'; then s=present
    elif command -v rpm >/dev/null 2>&1 && rpm -q "$a" >/dev/null 2>&1; then s=present
    else s=absent; fi
    printf 'pkg\t%s\t%s\n' "$a" "$s" ;;
  user)
    if getent passwd "$a" >/dev/null 2>&1; then s=present; else s=absent; fi
    printf 'user\t%s\t%s\n' "$a" "$s" ;;
  mount)
    m=$(awk -v t="$a" '$2 == t { print $1 "\t" $3 "\t" $4; exit }' /proc/self/mounts)
    printf 'mount\t%s\t%s\n' "$a" "$m" ;;
  fstab)
    l=$(awk -v t="$a" '$1 !~ /^#/ && $2 == t { print; exit }' /etc/fstab 2>/dev/null)
    printf 'fstab\t%s\t%s\n' "$a" "$l" ;;
  sysctl)
    v=$(cat "/proc/sys/$(printf '%s' "$a" | tr . /)" 2>/dev/null)
    printf 'sysctl\t%s\t%s\n' "$a" "$v" ;;
  iface)
    if [ -e "/sys/class/net/$a" ]; then s=present; else s=absent; fi
    printf 'iface\t%s\t%s\n' "$a" "$s" ;;
  vip)
    if ip -o -4 addr show 2>/dev/null | grep -q " $a/"; then s=held; else s=free; fi
    printf 'vip\t%s\t%s\n' "$a" "$s" ;;
  tcp) spawn probe_tcp "$a" "$b" ;;
  disk)
    d=$a
    while [ ! -e "$d" ]; do d=$(dirname -- "$d"); done
    printf 'disk\t%s\t%s\n' "$a" "$(df -Pk -- "$d" | awk 'NR == 2 { print $4 }')" ;;
  stamp)
    printf 'stamp\t%s\t%s\n' "$a" "$(head -n 1 -- "$a" 2>/dev/null)" ;;
  envlines)
    if [ -r "$a" ]; then
      s=$(grep -E "^($(printf '%s' "$b" | tr , '|'))=" -- "$a" | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
    else s=absent; fi
    printf 'envlines\t%s\t%s\n' "$a" "$s" ;;
  http) spawn probe_http "$a" ;;
  vipchain)
    if iptables -t nat -C PREROUTING -j HARBOR_HA_VIP 2>/dev/null; then h=hooked; else h=unhooked; fi
    r=$(iptables -t nat -S HARBOR_HA_VIP 2>/dev/null | grep -- '^-A' | tr '\n' ';')
    printf 'vipchain\t%s\t%s\n' "$h" "$r" ;;
  keepalived)
    p=$(cat /run/keepalived.pid 2>/dev/null || true)
    if [ -n "$p" ] && [ -r "/proc/$p/comm" ] && grep -q keepalived "/proc/$p/comm" 2>/dev/null \
      && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null; then s=running; else s=stopped; p=; fi
    printf 'keepalived\t%s\t%s\n' "$s" "$p" ;;
  haproxy)
    # Debian's init script and systemd unit both write the (master) process's pid here.
    p=$(head -n 1 /run/haproxy.pid 2>/dev/null || true)
    if [ -n "$p" ] && [ -r "/proc/$p/comm" ] && grep -q haproxy "/proc/$p/comm" 2>/dev/null \
      && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null; then s=running; else s=stopped; p=; fi
    printf 'haproxy\t%s\t%s\n' "$s" "$p" ;;
  ping) spawn probe_ping "$a" ;;
  version) spawn probe_version "$a" "$b" ;;
  harbor-api) spawn probe_harbor_api "$a" "$b" ;;
  pending)
    printf 'pending\t%s\t%s\n' "$a" "$(find "$a" -mindepth 1 -maxdepth 1 -type f -printf '%f=%T@ ' 2>/dev/null)" ;;
  drain)
    printf 'drain\t%s\n' "$(find /var/lib/harbor-ha/drain -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)" ;;
  esac
done <<EOF
$queries
EOF
wait
if [ -n "$probes" ] && [ "$n" -gt 0 ]; then cat -- "$probes"/*; fi
printf 'end\tok\n'

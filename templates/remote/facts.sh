#!/bin/sh
# harbor-ha facts: answers the fact queries of one host in one round trip, read-only.
# Queries arrive on stdin as TAB-separated lines (kind, then fields); every answer is one
# TAB-separated line on stdout. src/facts/parse.ts reads them. POSIX sh plus coreutils.
#
# Forks dominate the cost of this script (every host of a run answers at once, and a re-run that
# changes nothing is mostly this), so it answers alike queries together — one stat and one
# sha256sum for all files, one dpkg-query for all packages, one awk for all mounts and fstab
# lines, one iptables and one ip listing — and reads small files with the shell's own `read`.
set -u
T='	' # a TAB
NL='
'
IFS0=$IFS
printf 'facts\t1\n'
if [ -d /run/systemd/system ]; then printf 'init\tsystemd\n'; else printf 'init\tsysv\n'; fi
queries=$(cat)
# The probes that wait on something (a program's start-up, the network, Harbor) run at once, in
# the background, each answer into its own file, printed after the rest. Without a temporary
# folder they run one after the other.
probes='' made=0 n=0
trap '[ -z "$probes" ] || rm -rf -- "$probes"' EXIT
spawn() {
  if [ "$made" = 0 ]; then made=1; probes=$(mktemp -d 2>/dev/null) || probes=; fi
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
  # stderr), and its exit status; $2 is the program file's identity (below).
  v=$(timeout 20 "$1" --version 2>&1; echo "harbor-ha-exit:$?")
  printf 'version\t%s\t%s\t%s\t%s\n' "$1" "${v##*harbor-ha-exit:}" "$(printf '%s' "${v%harbor-ha-exit:*}" | head -c 4096 | base64 -w0)" "$2"
}
probe_harbor_api() {
  # $2: curl's config (the credentials), base64, from stdin: never on a command line.
  out=$(printf '%s' "$2" | base64 -d | curl -ksS -K - --connect-timeout 2 --max-time 10 -w '\nharbor-ha-status:%{http_code}' -- "$1" 2>&1)
  printf 'harbor-api\t%s\t%s\t%s\n' "$1" "${out##*harbor-ha-status:}" "$(printf '%s' "${out%harbor-ha-status:*}" | head -c 65536 | base64 -w0)"
}
probe_haproxy_stat() {
  # HAProxy's runtime state (`show stat`, CSV, then `show servers state` for the admin state: a
  # drained server whose check fails reads DOWN in the first) through its admin socket $1: which
  # servers are drained now, whoever drained them. "unreadable" when the socket does not answer.
  if out=$(printf 'show stat;show servers state\n' | socat -t 5 stdio "unix-connect:$1" 2>/dev/null) && [ -n "$out" ]; then
    printf 'haproxy-stat\t%s\tok\t%s\n' "$1" "$(printf '%s' "$out" | base64 -w0)"
  else printf 'haproxy-stat\t%s\tunreadable\n' "$1"; fi
}
# These two set a variable rather than print: a command substitution would cost a fork.
# path: the file a program name runs, as `command -v` finds it (PATH searched by the shell itself).
program_path() {
  path=
  case $1 in */*) [ -f "$1" ] && [ -x "$1" ] && path=$1; return ;; esac
  IFS=:
  for d in $PATH; do
    if [ -f "${d:-.}/$1" ] && [ -x "${d:-.}/$1" ]; then path=${d:-.}/$1 && break; fi
  done
  IFS=$IFS0
}
# line: the first line of a file (empty when it cannot be read), without starting head.
first_line() {
  line=
  { IFS= read -r line || :; } 2>/dev/null <"$1"
}

# One pass over the queries: what needs no program is answered now; alike queries are gathered
# and answered together below. The file queries' own lines ("Q") go to the merge with the stat
# and sha256sum answers. Lists are kept one item a line, and split into the positional parameters
# where a program takes them all (unquoted on purpose, SC2086; no globbing: set -f).
set -f
files='' hashed='' knownq='' fileq='' dirs='' pkgs='' marks='' verq='' ipout='' nat='' nat_read=0
while IFS="$T" read -r kind a b c d; do
  case "$kind" in
  file)
    files="$files$a$NL"
    # d: "IDENTITY=SHA256" of a checksum known from an earlier run, or "-".
    case ${d:--} in *=*) knownq="$knownq$a$T${d%%=*}$T${d#*=}$NL" ;; *) hashed="$hashed$a$NL" ;; esac
    fileq="${fileq}Q$T$a$T$b$T$c$NL" ;;
  dir)
    if [ -d "$a" ]; then dirs="$dirs$a$NL"; else printf 'dir\t%s\tabsent\n' "$a"; fi ;;
  pkg) pkgs="$pkgs$a$NL" ;;
  user)
    if getent passwd "$a" >/dev/null 2>&1; then s=present; else s=absent; fi
    printf 'user\t%s\t%s\n' "$a" "$s" ;;
  mount | fstab) marks="$marks$kind$T$a$NL" ;;
  sysctl)
    # net.ipv4.ip_forward → /proc/sys/net/ipv4/ip_forward
    # shellcheck disable=SC2086
    IFS=. && set -- $a && IFS=/ && p="$*" && IFS=$IFS0
    first_line "/proc/sys/$p"
    printf 'sysctl\t%s\t%s\n' "$a" "$line" ;;
  iface)
    if [ -e "/sys/class/net/$a" ]; then s=present; else s=absent; fi
    printf 'iface\t%s\t%s\n' "$a" "$s" ;;
  vip)
    [ -n "$ipout" ] || ipout=" $(ip -o -4 addr show 2>/dev/null)"
    case $ipout in *" $a/"*) s=held ;; *) s=free ;; esac
    printf 'vip\t%s\t%s\n' "$a" "$s" ;;
  tcp) spawn probe_tcp "$a" "$b" ;;
  disk)
    d=$a
    while [ ! -e "$d" ]; do d=${d%/*}; d=${d:-/}; done
    # df -P: after its header, one line: filesystem, blocks, used, available, capacity, mount point.
    out=$(df -Pk -- "$d" 2>/dev/null)
    # shellcheck disable=SC2086
    set -- ${out##*"$NL"}
    printf 'disk\t%s\t%s\n' "$a" "${4:-}" ;;
  stamp)
    first_line "$a"
    printf 'stamp\t%s\t%s\n' "$a" "$line" ;;
  envlines)
    if [ -r "$a" ]; then
      s=$(grep -E "^($(printf '%s' "$b" | tr , '|'))=" -- "$a" | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
    else s=absent; fi
    printf 'envlines\t%s\t%s\n' "$a" "$s" ;;
  # Expected lines (base64 of them, one a line; from stdin, never on a command line: they may hold
  # a password): how many distinct ones the file holds, whole lines. Only the count travels back.
  lines)
    if [ ! -r "$a" ]; then lines_found=absent
    elif [ "$b" = - ]; then lines_found=0
    else lines_found=$(printf '%s' "$b" | base64 -d | grep -Fx -f - -- "$a" | LC_ALL=C sort -u | wc -l); fi
    printf 'lines\t%s\t%s\n' "$a" "$lines_found" ;;
  http) spawn probe_http "$a" ;;
  vipchain)
    # One listing of the nat table: the hook is the rule `-C PREROUTING -j HARBOR_HA_VIP` checks.
    [ "$nat_read" = 1 ] || { nat=$(iptables -t nat -S 2>/dev/null); nat_read=1; }
    h=unhooked r=
    while IFS= read -r l; do
      case $l in
      "-A PREROUTING -j HARBOR_HA_VIP") h=hooked ;;
      "-A HARBOR_HA_VIP "*) r="$r$l;" ;;
      esac
    done <<NAT
$nat
NAT
    printf 'vipchain\t%s\t%s\n' "$h" "$r" ;;
  keepalived | haproxy)
    # The (master) process's pid, as keepalived and Debian's haproxy init script and unit write it.
    first_line "/run/$kind.pid"
    p=$line s=stopped
    if [ -n "$p" ] && [ -r "/proc/$p/comm" ]; then
      first_line "/proc/$p/comm"
      case $line in
      *"$kind"*)
        s=running
        while IFS= read -r l; do
          case $l in State:[[:space:]]Z*) s=stopped && break ;; State:*) break ;; esac
        done 2>/dev/null <"/proc/$p/status" ;;
      esac
    fi
    [ "$s" = running ] || p=
    printf '%s\t%s\t%s\n' "$kind" "$s" "$p" ;;
  ping) spawn probe_ping "$a" ;;
  version) verq="$verq$a$T$b$NL" ;;
  harbor-api) spawn probe_harbor_api "$a" "$b" ;;
  haproxy-stat) spawn probe_haproxy_stat "$a" ;;
  read)
    # A small file whole (adopt): 262144 bytes at most (READ_MAX_BYTES in facts/queries.ts).
    if [ -f "$a" ] && [ -r "$a" ]; then
      if [ "$(wc -c <"$a")" -le 262144 ]; then printf 'read\t%s\tpresent\t%s\n' "$a" "$(base64 -w0 <"$a")"
      else printf 'read\t%s\ttoo-big\n' "$a"; fi
    else printf 'read\t%s\tabsent\n' "$a"; fi ;;
  pending)
    printf 'pending\t%s\t%s\n' "$a" "$(find "$a" -mindepth 1 -maxdepth 1 -type f -printf '%f=%T@ ' 2>/dev/null)" ;;
  drain)
    printf 'drain\t%s\n' "$(find /var/lib/harbor-ha/drain -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)" ;;
  esac
done <<EOF
$queries
EOF

# Program versions: the identity of each program's file (device, inode, size, mtime, ctime;
# through symlinks), all in one stat. When it is the one the caller names, the answer is "same"
# (the caller knows that file's answer) and the program is not started.
if [ -n "$verq" ]; then
  paths='' found=''
  while IFS="$T" read -r prog known; do
    [ -n "$prog" ] || continue
    program_path "$prog"
    if [ -n "$path" ]; then paths="$paths$path$NL" found="$found$prog$T$path$T$known$NL"
    else printf 'version\t%s\tmissing\n' "$prog"; fi
  done <<EOF
$verq
EOF
  if [ -n "$found" ]; then
    # shellcheck disable=SC2086
    IFS=$NL && set -- $paths && IFS=$IFS0
    ids=$(stat -L -c "%n$T%d:%i:%s:%Y:%Z" -- "$@" 2>/dev/null)
    while IFS="$T" read -r prog p known; do
      [ -n "$prog" ] || continue
      id=''
      while IFS="$T" read -r np nid; do [ "$np" = "$p" ] && id=$nid && break; done <<EOF
$ids
EOF
      if [ -n "$id" ] && [ "$id" = "$known" ]; then printf 'version\t%s\tsame\t-\t%s\n' "$prog" "$id"
      else spawn probe_version "$prog" "$id"; fi
    done <<EOF
$found
EOF
  fi
fi

# Files: present means a readable regular file, as [ -f ] did (sha256sum skips directories);
# the content only of one that differs from the desired hash and may be shown. Each with its
# identity (device:inode:size:mtime:ctime, the times to the nanosecond as %y/%z print them): a
# file whose checksum the caller knows for that very identity is not read again (the installer
# bundle is ~600 MB; rewriting a file changes its ctime).
if [ -n "$files" ]; then
  # shellcheck disable=SC2086
  IFS=$NL && set -- $files && IFS=$IFS0
  stats=$(stat -c "S$T%n$T%a:%U:%G:%u:%g$T%d:%i:%s:%y:%z" -- "$@" 2>/dev/null)
  sums=''
  while IFS="$T" read -r p kid ksum; do
    [ -n "$p" ] || continue
    # The stat line of this path ("S", path, owner and mode, identity): the identity.
    line=$NL$stats
    case $line in
    *"${NL}S$T$p$T"*) line=${line#*"${NL}S$T$p$T"} && line=${line%%"$NL"*} && line=${line#*"$T"} ;;
    *) line='' ;;
    esac
    # In sha256sum's own format, for the merge below.
    if [ -n "$line" ] && [ "$line" = "$kid" ] && [ -f "$p" ]; then sums="$sums$ksum  $p$NL"; else hashed="$hashed$p$NL"; fi
  done <<EOF
$knownq
EOF
  # shellcheck disable=SC2086
  IFS=$NL && set -- $hashed && IFS=$IFS0
  {
    printf '%s\n' "$stats"
    if [ "$#" -gt 0 ]; then sha256sum -- "$@" 2>/dev/null; fi
    printf '%s' "$sums$fileq"
  } | awk -F "$T" -v t="$T" '
    $1 == "S" { st[$2] = $3; id[$2] = $4; next }
    $1 == "Q" {
      if (($2 in st) && ($2 in sum)) {
        print "file" t $2 t "present" t st[$2] t sum[$2] t id[$2]
        if (sum[$2] != $3 && $4 == "show") print "need" t $2
      } else print "file" t $2 t "absent"
      next
    }
    { sum[substr($0, 67)] = substr($0, 1, 64) }' | while IFS="$T" read -r kind a; do
      if [ "$kind" = need ]; then
        printf 'content\t%s\t' "$a"
        base64 -w0 < "$a"
        echo
      else
        printf '%s\t%s\n' "$kind" "$a"
      fi
    done
fi
if [ -n "$dirs" ]; then
  # shellcheck disable=SC2086
  IFS=$NL && set -- $dirs && IFS=$IFS0
  stat -c "dir$T%n${T}present$T%a:%U:%G:%u:%g" -- "$@"
fi

# Packages: one dpkg-query for all (rpm, one by one, where dpkg does not know one).
if [ -n "$pkgs" ]; then
  # shellcheck disable=SC2086
  IFS=$NL && set -- $pkgs && IFS=$IFS0
  known=$(dpkg-query -W -f="\${binary:Package}$T\${Package}$T\${Status}$NL" "$@" 2>/dev/null)
  for a in "$@"; do
    s=absent
    while IFS="$T" read -r bp p st; do
      if { [ "$bp" = "$a" ] || [ "$p" = "$a" ]; } && [ "$st" = "install ok installed" ]; then s=present && break; fi
    done <<EOF
$known
EOF
    if [ "$s" = absent ] && command -v rpm >/dev/null 2>&1 && rpm -q "$a" >/dev/null 2>&1; then s=present; fi
    printf 'pkg\t%s\t%s\n' "$a" "$s"
  done
fi

# Mounts (the first entry for the target, as the kernel lists them) and fstab lines (the first
# not commented out), one awk for all.
if [ -n "$marks" ]; then
  fstab=/etc/fstab
  [ -r "$fstab" ] || fstab=/dev/null
  printf '%s' "$marks" | awk -v t="$T" '
    FNR == 1 { file++ }
    file == 1 { asked[NR] = $0; n = NR; next }
    file == 2 { if (!($2 in m)) m[$2] = $1 t $3 t $4; next }
    $1 !~ /^#/ && !($2 in f) { f[$2] = $0 }
    END {
      for (i = 1; i <= n; i++) {
        split(asked[i], q, t)
        print q[1] t q[2] t ((q[1] == "mount") ? ((q[2] in m) ? m[q[2]] : "") : ((q[2] in f) ? f[q[2]] : ""))
      }
    }' - /proc/self/mounts "$fstab"
fi

wait
set +f
if [ -n "$probes" ] && [ "$n" -gt 0 ]; then cat -- "$probes"/*; fi
printf 'end\tok\n'

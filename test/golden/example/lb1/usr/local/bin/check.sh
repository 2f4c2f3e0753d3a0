#!/bin/bash
# Managed by harbor-ha (cluster registry-prod): do not edit by hand, changes are overwritten.
#
# Health check of one Harbor node, run by keepalived's MISC_CHECK:
#   check.sh <node-address>
# Exit 0: the node serves Harbor for registry.example.com and may take traffic.
# Exit 1: it may not; one line on stderr says why (keepalived logs it).
set -uo pipefail

readonly HOSTNAME_EXPECTED=registry.example.com
readonly SCHEME=https
readonly DRAIN_DIR=/var/lib/harbor-ha/drain
# Two requests share keepalived's budget of 5s (misc_timeout is one second more).
readonly CONNECT_TIMEOUT_S=2
readonly MAX_TIME_S=2.5

fail() {
    echo "check.sh: ${NODE:-?}: $*" >&2
    exit 1
}

[ "$#" -eq 1 ] || fail "usage: check.sh <node-address>"
readonly NODE=$1
[[ "$NODE" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || fail "not an IPv4 address: $NODE"

# A rolling run marks the node drained on purpose before touching it.
if [ -e "$DRAIN_DIR/$NODE" ]; then
    fail "drained on purpose by harbor-ha ($DRAIN_DIR/$NODE exists)"
fi

CURL_OPTS=(--silent --connect-timeout "$CONNECT_TIMEOUT_S" --max-time "$MAX_TIME_S")
# Ask for the cluster's name at this node's address, so that the certificate is verified as clients verify it.
CURL_OPTS+=(--resolve "$HOSTNAME_EXPECTED:443:$NODE")
CURL_OPTS+=(--cacert /etc/keepalived/harbor-ca.crt)
readonly BASE_URL="$SCHEME://$HOSTNAME_EXPECTED:443"

# curl's exit codes that a health check meets, in words.
curl_reason() {
    case "$1" in
        6) echo "cannot resolve host" ;;
        7) echo "connection refused" ;;
        28) echo "timed out" ;;
        35) echo "TLS handshake failed" ;;
        52) echo "empty reply" ;;
        56) echo "connection reset" ;;
        60) echo "certificate not trusted or not for $HOSTNAME_EXPECTED" ;;
        *) echo "curl exit code $1" ;;
    esac
}

# fetch PATH: sets STATUS (the HTTP status) and BODY; ends the check when curl fails.
# Shell built-ins only besides curl: keepalived runs this for every node every few seconds.
fetch() {
    local out rc=0
    out=$(curl "${CURL_OPTS[@]}" --write-out '\n%{http_code}' "$BASE_URL$1") || rc=$?
    [ "$rc" -eq 0 ] || fail "GET $1: $(curl_reason "$rc")"
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}

fetch /api/systeminfo
[ "$STATUS" = 200 ] || fail "GET /api/systeminfo answered HTTP $STATUS, not 200"
registry_url_re='"registry_url"[[:space:]]*:[[:space:]]*"([^"]*)"'
registry_url=
if [[ $BODY =~ $registry_url_re ]]; then registry_url=${BASH_REMATCH[1]}; fi
[ "$registry_url" = "$HOSTNAME_EXPECTED" ] ||
    fail "/api/systeminfo reports registry_url '${registry_url}', expected '$HOSTNAME_EXPECTED'"

fetch /api/repositories/top
[ "$STATUS" = 200 ] || fail "GET /api/repositories/top answered HTTP $STATUS, not 200"

exit 0

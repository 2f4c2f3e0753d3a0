#!/usr/bin/env bash
# A registry client's view of one lab host: runs CMD on this machine with registry.lab.test
# resolving to TARGET's address (a private mount namespace with its own /etc/hosts), so
# skopeo and curl talk to that host, the token realm https://registry.lab.test/... included.
#
#   lab/clients/client.sh TARGET CMD [ARG...]   TARGET: harbor1, lb2, vip, 198.18.0.23, ...
#   lab/clients/client.sh --cert-dir            prints the folder for skopeo --cert-dir /
#                                               --src-cert-dir / --dest-cert-dir (the lab CA)
# CMD sees LAB_CERT_DIR (that folder) and LAB_CA (the CA file, for curl --cacert).
# Example:
#   lab/clients/make-image.sh /tmp/img
#   lab/clients/client.sh harbor1 sh -c 'skopeo copy --format v2s2 --dest-cert-dir "$LAB_CERT_DIR" \
#     --dest-creds "admin:$(cat .lab/secrets/harbor-admin-password)" \
#     oci:/tmp/img:latest docker://registry.lab.test/library/hello:1'
# Runs as root (it needs a mount namespace). The machine's own /etc/hosts is not touched.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

CERT_DIR="$LAB_DIR/tls/cert-dir"
[[ -d "$CERT_DIR" ]] || lab_die "no lab in $LAB_DIR (run scripts/lab.sh up)"
if [[ "${1:-}" == --cert-dir ]]; then
  echo "$CERT_DIR"
  exit 0
fi
(($# >= 2)) || lab_die "usage: $0 TARGET CMD [ARG...] | --cert-dir"
[[ "$(id -u)" == 0 ]] || lab_die "run as root (it needs a private mount namespace)"

target="$1"
shift
case "$target" in
  vip) address="$LAB_VIP" ;;
  "$LAB_NET".*) address="$target" ;;
  *) address="$(awk -v n="$target" '$1 == n { print $2 }' "$LAB_DIR/hosts.tsv")" ;;
esac
[[ -n "$address" ]] || lab_die "unknown lab host '$target' (see $LAB_DIR/hosts.tsv, or use vip or an address)"

# The client's /etc/hosts: registry.lab.test first, so it wins over any other line for it.
hosts="$(mktemp "${TMPDIR:-/tmp}/lab-client-hosts.XXXXXX")"
trap 'rm -f "$hosts"' EXIT
{
  printf '%s\tregistry.lab.test\n' "$address"
  grep -v 'registry\.lab\.test' /etc/hosts || true
} >"$hosts"
chmod 644 "$hosts"

# No proxy for the lab, whatever the caller's environment says.
export no_proxy="registry.lab.test,$LAB_NET.0/24${no_proxy:+,$no_proxy}" NO_PROXY="registry.lab.test,$LAB_NET.0/24${NO_PROXY:+,$NO_PROXY}"
export LAB_CERT_DIR="$CERT_DIR" LAB_CA="$LAB_DIR/tls/ca.crt"
# Not exec: the trap removes the temporary hosts file afterwards.
# shellcheck disable=SC2016  # $0 and $@ are the inner shell's
unshare --mount --propagation private -- sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$@"

#!/usr/bin/env bash
# The main job against the built-in lab, from a fresh Debian 12 machine (as root):
# install what is needed, bring up a lab (2 load balancers, 3 Harbor nodes, MariaDB,
# Redis), then provision it with harbor-ha — Harbor's own offline installer (1.4.0 by
# default, from ../shared/harbor; or the one given with --installer) runs on every node —:
# validate, dry-run, the real run, a second run that changes nothing, and a real client
# (skopeo) pushing an image through one node and pulling it through another. The lab stays
# up for you to look around (ssh -F .lab/ssh/ssh_config harbor1); `scripts/lab.sh down`
# removes it. Works from a clone anywhere (the lab's hosts see the lab's code wherever it is).
#   scripts/demo.sh [--nodes N] [--protocol http|https] [--harbor-version 1.4|1.5 | --installer FILE] [--down]
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/demo.sh [--nodes N] [--protocol http|https] [--harbor-version 1.4|1.5 | --installer FILE] [--down]"
nodes=3 protocol=https version="" installer="" down=false
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes | --protocol | --harbor-version | --installer)
      [ $# -ge 2 ] || { echo "demo: $1 needs a value ($usage)" >&2; exit 2; }
      case "$1" in
        --nodes) nodes=$2 ;;
        --protocol) protocol=$2 ;;
        --harbor-version) version=$2 ;;
        --installer) installer=$2 ;;
      esac
      shift ;;
    --down) down=true ;;
    *) echo "demo: unknown option '$1' ($usage)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$version" ] && [ -n "$installer" ]; then
  echo "demo: give --harbor-version or --installer, not both" >&2
  exit 2
fi
# The installer is checked before anything is installed or started, by the lab's own rules
# (lab/harbor.sh): a missing one is explained (where Harbor's installers come from).
# shellcheck source-path=SCRIPTDIR/.. source=lab/common.sh
source lab/common.sh
# shellcheck source-path=SCRIPTDIR/.. source=lab/harbor.sh
source lab/harbor.sh
[ -n "$installer" ] || installer="$(lab_installer_for_version "${version:-1.4}")"
lab_read_installer "$installer"
step() { printf '\n\033[1m### %s\033[0m\n' "$*"; }

step "setup: Debian packages, npm dependencies, build"
scripts/setup.sh
step "lab: 2 load balancers, $nodes Harbor nodes, MariaDB + Redis ($protocol, Harbor $LAB_HARBOR_VERSION)"
scripts/lab.sh up --lbs 2 --nodes "$nodes" --protocol "$protocol" --installer "$LAB_INSTALLER"
$down && trap 'scripts/lab.sh down' EXIT
hh() { echo "\$ harbor-ha $*"; node bin/harbor-ha.js "$@"; }

step "validate the inventory (no network)"
hh validate .lab/inventory.yaml
step "render every file for every host (no network)"
hh render .lab/inventory.yaml --out .lab/render | tail -n 3
step "dry run: what provision would change (exit 3 = changes pending)"
hh provision .lab/inventory.yaml --dry-run | tail -n 12 || [ $? -eq 3 ]
step "provision"
hh provision .lab/inventory.yaml
step "provision again: nothing to change, nothing restarted"
hh provision .lab/inventory.yaml

step "a real client: push an image through harbor1, pull it through harbor2 (skopeo)"
tls=(--dest-cert-dir "$(lab/clients/client.sh --cert-dir)") src_tls=(--src-cert-dir "$(lab/clients/client.sh --cert-dir)")
[ "$protocol" = http ] && tls=(--dest-tls-verify=false) src_tls=(--src-tls-verify=false)
creds="admin:$(cat .lab/secrets/harbor-admin-password)"
image="$(mktemp -d)"
lab/clients/make-image.sh "$image/src" demo "hello from harbor-ha's demo" >/dev/null
lab/clients/client.sh harbor1 skopeo copy --format v2s2 "${tls[@]}" --dest-creds "$creds" \
  "oci:$image/src:demo" docker://registry.lab.test/library/demo:1
lab/clients/client.sh harbor2 skopeo copy "${src_tls[@]}" --src-creds "$creds" \
  docker://registry.lab.test/library/demo:1 "oci:$image/pulled:demo"
echo "pulled through harbor2: $(find "$image/pulled/blobs/sha256" -type f | wc -l) blobs"
rm -rf "$image"
$down || printf '\nThe lab is still up: ssh -F .lab/ssh/ssh_config harbor1; remove it with scripts/lab.sh down\n'

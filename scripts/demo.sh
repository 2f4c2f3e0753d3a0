#!/usr/bin/env bash
# The main job against the built-in lab, from a fresh Debian 12 machine (as root):
# install what is needed, bring up a lab (2 load balancers, 3 Harbor nodes, MariaDB,
# Redis), then provision it with harbor-ha: validate, dry-run, the real run, and a
# second run that changes nothing. The lab stays up for you to look around
# (ssh -F .lab/ssh/ssh_config harbor1); `scripts/lab.sh down` removes it.
#   scripts/demo.sh [--nodes N] [--protocol http|https] [--down]
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=3 protocol=https down=false
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift ;;
    --protocol) protocol=$2; shift ;;
    --down) down=true ;;
    *) echo "usage: scripts/demo.sh [--nodes N] [--protocol http|https] [--down]" >&2; exit 2 ;;
  esac
  shift
done
step() { printf '\n\033[1m### %s\033[0m\n' "$*"; }

step "setup: Debian packages, npm dependencies, build"
scripts/setup.sh
step "lab: 2 load balancers, $nodes Harbor nodes, MariaDB + Redis ($protocol)"
scripts/lab.sh up --lbs 2 --nodes "$nodes" --protocol "$protocol"
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
$down || printf '\nThe lab is still up: ssh -F .lab/ssh/ssh_config harbor1; remove it with scripts/lab.sh down\n'

# shellcheck shell=bash disable=SC2034,SC2153  # globals shared with the other parts of lab.sh
# What the lab's Harbor nodes get: Harbor's own offline installer, Python 2, and the
# docker/docker-compose shims of lab/harbor/ (sourced by lab.sh).

LAB_SHARED_HARBOR="$LAB_REPO/../shared/harbor"
LAB_PYTHON2_MOUNT="/opt/python2.7"

# The installer for --harbor-version 1.4|1.5 (Harbor's own bundles beside the clone).
lab_installer_for_version() {
  case "$1" in
    1.4) echo "$LAB_SHARED_HARBOR/harbor-offline-installer-v1.4.0-noimages.tgz" ;;
    1.5) echo "$LAB_SHARED_HARBOR/harbor-offline-installer-v1.5.4-noimages.tgz" ;;
    *) lab_die "--harbor-version must be 1.4 or 1.5, got '$1'" ;;
  esac
}

# Checks FILE is a Harbor 1.4.x/1.5.x offline installer and sets LAB_INSTALLER (absolute)
# and LAB_HARBOR_VERSION (read from the image tags in its harbor/docker-compose.yml).
lab_read_installer() {
  local file="$1" names compose version
  [[ -f "$file" ]] || lab_die "installer not found: $file (Harbor's offline installer, harbor-offline-installer-vX.Y.Z.tgz; see ../shared/harbor/README.md)"
  LAB_INSTALLER="$(realpath "$file")"
  names="$(tar -tzf "$LAB_INSTALLER" 2>/dev/null)" || lab_die "$LAB_INSTALLER is not a readable .tgz"
  local need
  for need in harbor/install.sh harbor/prepare harbor/docker-compose.yml harbor/ha/docker-compose.yml harbor/ha/registry.sql; do
    grep -qx "$need" <<<"$names" || lab_die "$LAB_INSTALLER has no $need: not a Harbor 1.4/1.5 offline installer"
  done
  compose="$(tar -xzOf "$LAB_INSTALLER" harbor/docker-compose.yml)" || lab_die "cannot read harbor/docker-compose.yml in $LAB_INSTALLER"
  version="$(grep -m1 -oE 'vmware/harbor-ui:v[0-9]+\.[0-9]+\.[0-9]+' <<<"$compose" | sed 's/.*:v//')"
  [[ "$version" =~ ^1\.[45]\.[0-9]+$ ]] \
    || lab_die "$LAB_INSTALLER is Harbor '${version:-unknown}' (from its docker-compose.yml); the lab runs Harbor 1.4.x and 1.5.x"
  LAB_HARBOR_VERSION="$version"
}

# Python 2.7 for Harbor 1.x's prepare (#!/usr/bin/python). Debian 12 has none; the machine
# has one under pyenv, in /root, which the hosts do not see: it is bind-mounted read-only.
lab_find_python2() {
  local prefix="${HARBOR_HA_LAB_PYTHON2:-}"
  if [[ -z "$prefix" ]]; then
    prefix="$(pyenv prefix 2.7.18 2>/dev/null)" || prefix="${PYENV_ROOT:-$HOME/.pyenv}/versions/2.7.18"
  fi
  if [[ ! -x "$prefix/bin/python2.7" ]] || ! "$prefix/bin/python2.7" -c 'import ConfigParser' 2>/dev/null; then
    lab_die "Python 2.7 not found (looked for ${prefix}/bin/python2.7): Harbor 1.x's prepare needs Python 2 on the lab's Harbor nodes. Install it with 'pyenv install 2.7.18', or set HARBOR_HA_LAB_PYTHON2 to the prefix of a Python 2.7 (the folder holding bin/python2.7 and lib/libpython2.7.so.1.0)."
  fi
  LAB_PYTHON2="$(realpath "$prefix")"
}

# hostinit.py options that give a Harbor node what a Harbor 1.x VM has.
lab_harbor_node_args() {
  local multiarch
  multiarch="$("$LAB_PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')"
  printf '%s\n' \
    --bind-ro "$LAB_PYTHON2:$LAB_PYTHON2_MOUNT" \
    --symlink "/usr/bin/python:$LAB_PYTHON2_MOUNT/bin/python2.7" \
    --symlink "/usr/lib/$multiarch/libpython2.7.so.1.0:$LAB_PYTHON2_MOUNT/lib/libpython2.7.so.1.0" \
    --symlink "/usr/local/bin/docker:$LAB_REPO/lab/harbor/bin/docker" \
    --symlink "/usr/local/bin/docker-compose:$LAB_REPO/lab/harbor/bin/docker-compose"
}

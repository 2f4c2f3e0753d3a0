# shellcheck shell=bash disable=SC2034,SC2153  # globals shared with the other parts of lab.sh
# What the lab's Harbor nodes get: Harbor's own offline installer, Python 2 (1.x), the
# goharbor/prepare image's code (2.x), and the docker/docker-compose shims of lab/docker/
# (sourced by lab.sh).

LAB_SHARED_HARBOR="$(realpath -m "$LAB_REPO/../shared/harbor")"
LAB_PYTHON2_MOUNT="/opt/python2.7"
# Where a Harbor node sees the lab's code (the docker shims and the stand-ins they run): this
# folder, bound read-only, so the checkout may be anywhere (a host hides the machine's /root
# and /tmp) and no node can change it.
LAB_CODE_MOUNT="/usr/local/lib/harbor-ha-lab"
# Where a 2.x node's docker shim finds the releases it can run (lab/docker/lib/releases.py):
# $LAB_DIR/releases, bound read-only.
LAB_RELEASES_MOUNT="/var/lib/lab-docker/releases"

# Where Harbor's offline installers come from, for whoever has none (a clone of the public
# repository has no ../shared/ beside it).
LAB_INSTALLER_ORIGIN="Harbor's offline installers are Harbor's own release files, harbor-offline-installer-vX.Y.Z.tgz from https://github.com/goharbor/harbor/releases (the lab runs 1.4.x, 1.5.x and 2.x, with or without the images inside); give one with --installer FILE. In harbor-ha's own workspace they are in ../shared/harbor/ beside the clone."

# The installer for --harbor-version 1.4|1.5|2.N (Harbor's own bundles beside the clone). A 2.x
# line is the lowest patch release of it there, so that a newer patch built beside it (its
# README, "Rebuilding them") changes no lab that names the line; give --installer for another.
lab_installer_for_version() {
  case "$1" in
    1.4) echo "$LAB_SHARED_HARBOR/harbor-offline-installer-v1.4.0-noimages.tgz" ;;
    1.5) echo "$LAB_SHARED_HARBOR/harbor-offline-installer-v1.5.4-noimages.tgz" ;;
    2.[0-9]*)
      local f patch best="" lowest=""
      for f in "$LAB_SHARED_HARBOR/harbor-offline-installer-v$1."*-noimages.tgz; do
        patch="${f##*/harbor-offline-installer-v"$1".}" && patch="${patch%-noimages.tgz}"
        [[ -f "$f" && "$patch" =~ ^[0-9]+$ ]] || continue
        if [[ -z "$lowest" ]] || ((patch < lowest)); then best="$f" lowest="$patch"; fi
      done
      [[ -n "$best" ]] || lab_die "--harbor-version $1: no harbor-offline-installer-v$1.N-noimages.tgz in $LAB_SHARED_HARBOR. $LAB_INSTALLER_ORIGIN"
      echo "$best" ;;
    *) lab_die "--harbor-version must be 1.4, 1.5 or a 2.x line such as 2.15, got '$1'" ;;
  esac
}

# Checks FILE is a Harbor 1.4.x/1.5.x or 2.x offline installer and sets LAB_INSTALLER
# (absolute), LAB_HARBOR_VERSION and LAB_HARBOR_MAJOR (1 or 2).
lab_read_installer() {
  local file="$1" names compose version
  [[ -f "$file" ]] || lab_die "installer not found: $file. $LAB_INSTALLER_ORIGIN"
  LAB_INSTALLER="$(realpath "$file")"
  names="$(tar -tzf "$LAB_INSTALLER" 2>/dev/null)" || lab_die "$LAB_INSTALLER is not a readable .tgz"
  if grep -qx harbor/harbor.yml.tmpl <<<"$names"; then
    lab_read_installer_2x "$names"
    return
  fi
  LAB_HARBOR_MAJOR=1
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

# A Harbor 2.x bundle (install.sh, common.sh, prepare, harbor.yml.tmpl): it names no image
# tag a lab can trust (its prepare runs goharbor/prepare:dev), so the version comes from the
# file name Harbor's Makefile gives it (harbor-offline-installer-vX.Y.Z[-...].tgz). What its
# image archive would hold must be beside it: the prepare image's code
# (harbor-prepare-image-vX.Y.Z.tgz) and core's schema scripts (harbor-db-migrations-vX.Y.Z.tgz).
lab_read_installer_2x() {
  local names="$1" need version dir
  for need in harbor/install.sh harbor/common.sh harbor/prepare; do
    grep -qx "$need" <<<"$names" || lab_die "$LAB_INSTALLER has no $need: not a Harbor 2.x offline installer"
  done
  version="$(basename "$LAB_INSTALLER" | grep -oE '^harbor-offline-installer-v2\.[0-9]+\.[0-9]+' | sed 's/.*-v//')"
  [[ "$version" =~ ^2\.[0-9]+\.[0-9]+$ ]] \
    || lab_die "$LAB_INSTALLER: cannot tell the Harbor 2.x version from its name (expected harbor-offline-installer-v2.X.Y....tgz)"
  LAB_HARBOR_VERSION="$version"
  LAB_HARBOR_MAJOR=2
  dir="$(dirname "$LAB_INSTALLER")"
  [[ -f "$dir/harbor-prepare-image-v$version.tgz" ]] \
    || lab_die "no $dir/harbor-prepare-image-v$version.tgz: Harbor $version's prepare runs the goharbor/prepare:v$version image, whose code (/usr/src/app in the image: main.py, commands/, utils/, templates/) the lab runs on the nodes; pack it as that file beside the installer"
  [[ -f "$dir/harbor-db-migrations-v$version.tgz" ]] \
    || lab_die "no $dir/harbor-db-migrations-v$version.tgz: Harbor $version's core migrates the database with the schema scripts of its image (/harbor/migrations: goharbor/harbor make/migrations/postgresql at v$version); pack them as migrations/*.up.sql in that file beside the installer"
}

# The releases the nodes' docker can run (lab/docker/lib/releases.py): every 2.x installer
# beside the lab's and in ../shared/harbor/ with its prepare image's code (and migrations),
# unpacked into $LAB_DIR/releases, as a real offline installer's image archive brings its
# release's images. LAB_EXTRA_MIGRATIONS (vX.Y.Z=PATH ...): more *.up.sql for a release (a
# migration that fails, for rollback tests).
lab_collect_releases() {
  local args=(collect "$LAB_DIR/releases") extra out
  for extra in "${LAB_EXTRA_MIGRATIONS[@]}"; do args+=(--extra "$extra"); done
  args+=("$(dirname "$LAB_INSTALLER")")
  [[ "$(realpath -m "$(dirname "$LAB_INSTALLER")")" == "$LAB_SHARED_HARBOR" ]] || args+=("$LAB_SHARED_HARBOR")
  out="$("$LAB_PYTHON" "$LAB_CODE/docker/lib/releases.py" "${args[@]}" 2>&1)" \
    || lab_die "cannot unpack the Harbor 2.x releases for the nodes: $out"
  [[ -f "$LAB_DIR/releases/v$LAB_HARBOR_VERSION/prepare/main.py" ]] \
    || lab_die "$LAB_DIR/releases/v$LAB_HARBOR_VERSION has no prepare code (main.py): is harbor-prepare-image-v$LAB_HARBOR_VERSION.tgz the goharbor/prepare image's code?"
  chmod -R a+rX,go-w "$LAB_DIR/releases"
  lab_log "releases the nodes' docker can run: $(tr '\t\n' ' ,' <<<"$out" | sed 's/,$//')"
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

# hostinit.py options that give a Harbor node what a Harbor VM of the lab's release has.
lab_harbor_node_args() {
  printf '%s\n' --bind-ro "$LAB_CODE:$LAB_CODE_MOUNT"
  if ((LAB_HARBOR_MAJOR == 2)); then
    # Docker 27 with the compose plugin (`docker compose`, which Harbor 2.x's install.sh
    # prefers), a docker-compose command too, and the releases it can run.
    printf '%s\n' \
      --symlink "/usr/local/bin/docker:$LAB_CODE_MOUNT/docker/bin/docker27" \
      --symlink "/usr/local/bin/docker-compose:$LAB_CODE_MOUNT/docker/bin/docker-compose" \
      --bind-ro "$LAB_DIR/releases:$LAB_RELEASES_MOUNT"
    return
  fi
  local multiarch
  multiarch="$("$LAB_PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')"
  printf '%s\n' \
    --bind-ro "$LAB_PYTHON2:$LAB_PYTHON2_MOUNT" \
    --symlink "/usr/bin/python:$LAB_PYTHON2_MOUNT/bin/python2.7" \
    --symlink "/usr/lib/$multiarch/libpython2.7.so.1.0:$LAB_PYTHON2_MOUNT/lib/libpython2.7.so.1.0" \
    --symlink "/usr/local/bin/docker:$LAB_CODE_MOUNT/docker/bin/docker" \
    --symlink "/usr/local/bin/docker-compose:$LAB_CODE_MOUNT/docker/bin/docker-compose"
}

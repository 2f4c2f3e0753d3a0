#!/bin/sh
# Runs Harbor 2.x's own prepare (the goharbor/prepare image's Python code, unpacked from
# ../shared/harbor/harbor-prepare-image-v*.tgz) the way Harbor's installer runs the image:
# its code at /usr/src/app, the volumes at /input, /data, /config, /compose_location and
# /hostfs. Here they are bind mounts into a throw-away root (this machine's /usr, /etc, /dev;
# the sandbox's folders for the rest), in a private mount namespace, so that nothing outside
# SANDBOX is touched. Needs root (unshare -m, chroot), like the image (it runs --privileged).
#
#   prepare2-sandbox.sh SANDBOX CODE [--with-trivy]
#
# SANDBOX holds input/harbor.yml, and data/ (what /data starts with: the seeded secrets),
# hostfs/ (what prepare sees of the node: the TLS pair); prepare writes config/ and compose/.
set -eu
box=$(realpath "$1") code=$(realpath "$2")
shift 2
root="$box/root"
for d in usr etc dev tmp input data config compose_location hostfs; do mkdir -p "$root/$d"; done
mkdir -p "$box/input" "$box/data" "$box/config" "$box/compose" "$box/hostfs"
for l in bin lib lib64 sbin; do [ -e "$root/$l" ] || ln -s "usr/$l" "$root/$l"; done
export box code root
exec unshare -m --propagation private sh -eu -c '
  mount --bind /usr "$root/usr"
  mount -t tmpfs tmpfs "$root/usr/src"
  mkdir "$root/usr/src/app"
  mount --bind "$code" "$root/usr/src/app"
  mount --bind /etc "$root/etc"
  mount --bind /dev "$root/dev"
  for d in input data config hostfs; do mount --bind "$box/$d" "$root/$d"; done
  mount --bind "$box/compose" "$root/compose_location"
  exec chroot "$root" sh -c "cd /usr/src/app && LANG=C.UTF-8 exec python3 main.py prepare \"\$@\"" prepare "$@"
' sandbox "$@"

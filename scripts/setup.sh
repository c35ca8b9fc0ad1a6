#!/usr/bin/env bash
# Set up a Debian 12 controller for ploy: the test bed's packages, Ansible (the benchmark's peer)
# and the npm dependencies. Needs root for apt-get; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# ansible: the collections the bench's playbook uses (ansible.posix.authorized_key), which Debian's
# ansible-core alone lacks; time: GNU time, the bench's wall time and peak RSS of every run.
# test/unit/bench-fresh-machine.test.ts checks this list against what the bench runs.
# docker-registry, skopeo, socat: the echo-healthcheck test's real registry, its client, and the echo.
packages=(debootstrap systemd-container iproute2 nftables openssh-client ansible-core ansible dpkg-dev time curl wget unzip docker-registry skopeo socat)
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

#!/usr/bin/env bash
# Installs what Nixport needs on a Debian 12 machine and is missing, then
# builds the offline package set. Safe to run again: each step is skipped
# when its result is already there. Runs as root (apt-get, /nix).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*"; }

# Debian packages: Redis, Nix, the static busybox that builds the offline
# package set, the registry clients the tests pull with (skopeo, umoci,
# podman with runc, containerd's ctr), xz for .debs, git for git package
# sources (ls-remote, Nix's fetchGit), ps for tests; OpenStack Swift and
# memcached, the S3 server the tests start; nginx, the reference of
# bench:blobs.
PACKAGES=(redis-server nix-bin busybox-static skopeo umoci xz-utils
  podman runc containerd git procps
  swift-proxy swift-account swift-container swift-object memcached nginx)
missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
  [[ $status == ii* ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: install when node_modules is missing or older than the lock.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash nix/setup.sh

if [[ ! -f nix/offline/default.nix ]]; then
  # The generator reads apt's package lists to resolve dependencies.
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || apt-get update -qq
  say "building the offline package set (nix/offline)"
  node --import tsx nix/src/main.ts --out nix/offline
fi
if [[ ! -f nix/offline/popularity.json ]]; then
  # Layering reads it: Debian's reverse-dependency counts (npm run popcount).
  say "counting package popularity (nix/offline/popularity.json)"
  node --import tsx nix/src/popcount.ts --out nix/offline/popularity.json
fi
say "ready"

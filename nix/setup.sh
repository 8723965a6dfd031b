#!/usr/bin/env bash
# Checks that this machine can run Nixport's Nix builds: Nix 2.8
# (single-user, run as root, no daemon) and the static busybox that builds
# every derivation, both installed by scripts/bootstrap.sh. Idempotent.
# Run as root. Callers then set NIX_CONF_DIR to this folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

say() { printf 'nix/setup: %s\n' "$*"; }

for command in nix-build /usr/bin/busybox; do
  command -v "$command" >/dev/null || {
    say "$command is missing: install nix-bin and busybox-static (scripts/bootstrap.sh does)"
    exit 1
  }
done

# The package set generator reads apt's lists (apt-cache dumpavail).
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  say "fetching apt's package lists"
  apt-get update -qq
fi

# Nix creates /nix/store and its database on first use: nothing to make.
# A build that proves the configuration: busybox as the builder, no
# sandbox, no substituters. It is cached after the first run.
NIX_CONF_DIR="$here" nix-build --no-out-link --quiet --expr '
  derivation {
    name = "nixport-setup-check";
    system = builtins.currentSystem;
    builder = "${builtins.path {
      path = /usr/bin;
      name = "busybox";
      filter = path: type: baseNameOf path == "busybox";
    }}/busybox";
    args = [ "sh" "-c" "echo ok > $out" ];
  }' >/dev/null
say "nix $(nix --version | awk '{print $NF}') works with $here/nix.conf"

/**
 * The build script of every Debian derivation, run by busybox's `sh` with
 * PATH unset (busybox runs its own applets regardless). Its environment
 * holds the derivation's attributes: `debs` (store paths of .deb files),
 * `deps` (store paths of the derivations it needs at run time) and
 * `fixup` (shell run afterwards in `$out`).
 *
 * Each .deb's data archive is unpacked into `$out` without restoring
 * owners: Nix refuses outputs owned by anyone but the builder. Bookworm
 * compresses every data archive with xz; gzip and plain tar are accepted
 * too, while busybox has no zstd, so a `data.tar.zst` fails loudly.
 *
 * Listing `deps` in `$out/nix-support/propagated-runtime-deps` makes Nix
 * record them as runtime references, so an image gets the whole closure.
 */
export const UNPACK_SCRIPT = `set -eu
mkdir -p "$out/nix-support"
for deb in $debs; do
  rm -rf "$TMPDIR/deb"
  mkdir "$TMPDIR/deb"
  cd "$TMPDIR/deb"
  ar x "$deb"
  if [ -f data.tar.xz ]; then tar -xJof data.tar.xz -C "$out"
  elif [ -f data.tar.gz ]; then tar -xzof data.tar.gz -C "$out"
  elif [ -f data.tar ]; then tar -xof data.tar -C "$out"
  else
    echo "no data archive that busybox can read in $deb:" $(ls) >&2
    exit 1
  fi
done
cd "$out"
eval "$fixup"
for dep in $deps; do echo "$dep"; done \\
  > "$out/nix-support/propagated-runtime-deps"
`;

# Builds an image's root filesystem: a symlink farm over the runtime
# closure that exportReferencesGraph wrote to .attrs.json. Run by busybox
# sh with PATH unset; with __structuredAttrs, $out is not set either.
#
# For each closure path, in sorted store-path order, every entry except
# the package set's nix-support/ goes into the farm:
#   - a directory becomes a real directory, merged with the others;
#   - a regular file becomes a symlink to its store path;
#   - a symlink is copied as it is: Debian's links are relative to the
#     root filesystem (python3 -> python3.11, which another package
#     ships), so they must resolve inside the image, not the store path.
# The first path to claim a name wins; later ones are skipped there.
set -eu

# Not $NIX_ATTRS_JSON_FILE: in a sandboxed build Nix 2.8 sets it to the
# path outside the sandbox (NixOS/nix#6736). The file is documented to be
# in the build's temporary folder, which is where a build starts.
attrs="$NIX_BUILD_TOP/.attrs.json"
out=$(sed -n 's/.*"outputs":{"out":"\([^"]*\)".*/\1/p' "$attrs")
[ -n "$out" ] || { echo "no output path in $attrs" >&2; exit 1; }
closure=$(grep -o '"path":"[^"]*"' "$attrs" | cut -d '"' -f 4 | sort -u)

# link_entry ENTRY DIR: puts ENTRY into the farm directory DIR. It only
# descends into real directories of the farm, so it never writes through
# a symlink to a place outside $out.
link_entry() {
  local source="$1" target="$2/${1##*/}" entry
  if [ -d "$source" ] && [ ! -L "$source" ]; then
    [ -e "$target" ] || [ -L "$target" ] || mkdir "$target"
    [ -d "$target" ] && [ ! -L "$target" ] || return 0
    for entry in "$source"/* "$source"/.[!.]* "$source"/..?*; do
      [ -e "$entry" ] || [ -L "$entry" ] || continue
      link_entry "$entry" "$target"
    done
  elif [ -e "$target" ] || [ -L "$target" ]; then
    return 0
  elif [ -L "$source" ]; then
    ln -s "$(readlink "$source")" "$target"
  else
    ln -s "$source" "$target"
  fi
}

mkdir "$out"
for path in $closure; do
  [ -d "$path" ] && [ ! -L "$path" ] || continue
  for entry in "$path"/* "$path"/.[!.]* "$path"/..?*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    [ "${entry##*/}" = nix-support ] || link_entry "$entry" "$out"
  done
done

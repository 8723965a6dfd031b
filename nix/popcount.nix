# What `npm run popcount -- --set DIR` evaluates: every derivation of a
# package set with the names of the derivations it needs at run time
# (the generated sets list them in `deps`). Data only, via --argstr:
#
#   source  absolute path of a folder whose default.nix is a package set
#   system  e.g. x86_64-linux
{ source, system ? builtins.currentSystem }:

let
  set = import source { inherit system; };
  isDerivation = value: builtins.isAttrs value && (value.type or null) == "derivation";
  entries = map (name: builtins.tryEval set.${name}) (builtins.attrNames set);
  derivations = map (entry: entry.value)
    (builtins.filter (entry: entry.success && isDerivation entry.value) entries);
in
map (drv: {
  name = drv.name;
  deps = map (dep: dep.name) (drv.drvAttrs.deps or [ ]);
}) derivations

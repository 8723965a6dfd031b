# The expression the builder evaluates. Every input is data passed with
# --argstr, never code spliced into Nix source. The package set comes
# from exactly one of:
#
#   source      absolute path of a folder whose default.nix is a package
#               set function `{ system }: { … }` (e.g. the generated
#               nix/offline)
#   gitUrl      a git repository holding such a default.nix, at gitRev
#   gitRev      (a full commit id; fetched with builtins.fetchGit)
#   tarballUrl  a tarball of such a folder (builtins.fetchTarball)
#
#   packages    JSON list of attribute names, e.g. ["htop","bashInteractive"]
#   system      e.g. x86_64-linux
#
# Attributes:
#   check    { unknown = [ name ]; refused = [ { name; reason; } ]; }
#            Never throws for names that are not in the set. A reason is
#            null when the set refuses to evaluate the package; `explain`
#            then throws with the set's own words.
#   plan     check // { drvPath; }: the image's derivation, null when
#            check reports anything.
#   near     { <unknown name> = [ attribute names it could have meant ]; }
#            the names of the set (or the nested set) it was looked up in.
#   explain  forces every found package, so the first one the package set
#            refuses throws its own message.
#   image    a derivation whose output is the root filesystem of the image:
#            a symlink farm over the runtime closure of the packages (plus
#            cacert and iana-etc when the set has them). Throws if `check`
#            reports anything.
{ source ? null
, gitUrl ? null
, gitRev ? null
, tarballUrl ? null
, packages
, system ? builtins.currentSystem
}:

let
  inherit (builtins)
    attrNames attrValues concatMap concatStringsSep elem elemAt filter
    fromJSON genList hasAttr head isAttrs isList isString length
    listToAttrs map match replaceStrings seq split substring tail tryEval
    unsafeDiscardStringContext;

  names =
    let parsed = fromJSON packages; in
    if isList parsed && builtins.all isString parsed then parsed
    else throw "packages must be a JSON list of strings, got: ${packages}";

  # The package set's folder: fetched by commit or URL, or a local path.
  # fetchGit with allRefs finds a commit on any branch or tag.
  root =
    if gitUrl != null then
      builtins.fetchGit { url = gitUrl; rev = gitRev; allRefs = true; }
    else if tarballUrl != null then builtins.fetchTarball { url = tarballUrl; }
    else if isString source && substring 0 1 source == "/" then source
    else throw "source must be an absolute path, got: ${toString source}";

  pkgs = import root { inherit system; };

  # Nix 2.8 has no builtins.toLower.
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M"
            "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m"
            "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  toLower = replaceStrings upper lower;

  # The attribute of `set` that `name` means, or null. Image names are
  # lower-case and cannot start with `_`, so after the exact name this
  # tries `_name` for a leading digit (nixpkgs' `_1password`), then any
  # attribute equal to one of those once lower-cased (`bashinteractive`
  # finds `bashInteractive`), the first in sorted order.
  findAttribute = set: name:
    let
      digit = match "[0-9].*" name != null;
      candidates = [ name ] ++ (if digit then [ "_${name}" ] else [ ]);
      exact = filter (candidate: hasAttr candidate set) candidates;
      wanted = map toLower candidates;
      folded = filter (attr: elem (toLower attr) wanted) (attrNames set);
    in
    if exact != [ ] then head exact
    else if folded != [ ] then head folded
    else null;

  # Follows a dotted name (`xorg.xev`) through nested attribute sets.
  walk = set: parts:
    let
      attr = findAttribute set (head parts);
      value = set.${attr};
    in
    if attr == null then null
    else if tail parts == [ ] then value
    else if isAttrs value then walk value (tail parts)
    else null;

  isDerivation = value: isAttrs value && (value.type or null) == "derivation";

  # The derivation `name` means, or null when there is none: the dotted
  # walk first, then the whole name as one attribute (Debian's libdb5.3).
  # tryEval keeps a throwing attribute (nixpkgs' removed-package aliases)
  # from aborting the evaluation.
  resolve = name:
    let
      derivationOrNull = value:
        if value != null && isDerivation value then value else null;
      attempt = parts:
        let found = tryEval (derivationOrNull (walk pkgs parts)); in
        if found.success then found.value else null;
      dotted = attempt (filter isString (split "\\." name));
    in
    if dotted != null then dotted else attempt [ name ];

  # Why the set refuses a found package: null when it does not, else
  # { reason; }. A package the set throws for when it is instantiated
  # (nixpkgs' unfree, insecure or unsupported packages) gets a null
  # reason: tryEval cannot keep the message, `explain` shows it.
  refusal = drv:
    let
      meta = drv.meta or { };
      reason =
        if meta.broken or false then "marked as broken"
        else if meta ? platforms && !(elem system meta.platforms)
        then "not available on ${system}"
        else null;
      checked = tryEval reason;
    in
    if !(tryEval drv.drvPath).success then { reason = null; }
    else if !checked.success then { reason = "its metadata does not evaluate"; }
    else if checked.value == null then null
    else { reason = checked.value; };

  resolved = map (name: { inherit name; drv = resolve name; }) names;
  found = filter (entry: entry.drv != null) resolved;

  refusalsOf = entries: concatMap
    (entry:
      let refused = refusal entry.drv; in
      if refused == null then [ ]
      else [ ({ inherit (entry) name; } // refused) ])
    entries;

  # Every image gets CA certificates and /etc/services, as from nixpkgs,
  # when the set has them for this system. An image of nothing else
  # (`arm64` alone) that cannot have them either is refused for them.
  extraEntries = map (name: { inherit name; drv = pkgs.${name}; })
    (filter (name: hasAttr name pkgs) [ "cacert" "iana-etc" ]);
  extras = filter (entry: refusal entry.drv == null) extraEntries;

  check = {
    unknown = map (entry: entry.name)
      (filter (entry: entry.drv == null) resolved);
    refused = refusalsOf found
      ++ (if found == [ ] && extras == [ ] then refusalsOf extraEntries else [ ]);
  };

  # The attribute names an unknown name was looked up among: those of
  # the nested set its dotted prefix reaches, else the top level.
  nearNames = name:
    let
      parts = filter isString (split "\\." name);
      init = genList (elemAt parts) (length parts - 1);
      parent = tryEval (walk pkgs init);
      nested = length parts > 1 && parent.success
        && isAttrs parent.value && !(isDerivation parent.value);
      prefix = concatStringsSep "." init + ".";
    in
    if nested then map (attr: prefix + attr) (attrNames parent.value)
    else attrNames pkgs;

  near = listToAttrs
    (map (name: { inherit name; value = nearNames name; }) check.unknown);

  explain = map (entry: seq entry.drv.drvPath entry.name) found;

  # Unique and sorted by store path, so that the same packages asked in
  # another order or by another name (bash, bashInteractive) give the same
  # derivation and share its cached output. The key drops the string's
  # context only because attribute names cannot carry it; the value keeps it.
  roots = attrValues (listToAttrs (map
    (drv: { name = unsafeDiscardStringContext drv.outPath; value = drv; })
    (map (entry: entry.drv) (found ++ extras))));

  busybox =
    if builtins.pathExists /usr/bin/busybox
    then builtins.path {
      path = /usr/bin;
      name = "busybox";
      filter = path: type: baseNameOf path == "busybox";
    }
    else throw "image.nix needs busybox-static's /usr/bin/busybox";

  farm = derivation {
    name = "nixport-image";
    inherit system;
    builder = "${busybox}/busybox";
    args = [ "sh" "-c" (builtins.readFile ./image-farm.sh) ];
    # Writes the closure, with each path's references, to .attrs.json.
    __structuredAttrs = true;
    exportReferencesGraph.closure = roots;
  };

  problems =
    map (name: "unknown ${name}") check.unknown
    ++ map (entry: "refused ${entry.name}: ${toString entry.reason}") check.refused;

  image =
    if problems == [ ] then farm
    else throw "cannot build the image: ${concatStringsSep "; " problems}";
in
{
  inherit check near explain image;
  plan = check // { drvPath = if problems == [ ] then farm.drvPath else null; };
}

import type { DebianPackage } from './debian-package.ts';

/**
 * Dependencies a package declares only for its maintainer scripts, which
 * never run when a .deb is unpacked into the store. Keeping them would
 * put them in every image that asks for the package; a fixup in
 * `fixups.ts` already does the scripts' work. Keyed by package name; an
 * entry is dropped when every one of its alternatives is listed.
 */
export const SCRIPT_ONLY_DEPENDENCIES: ReadonlyMap<string, ReadonlySet<string>> =
  new Map([
    // update-ca-certificates asks debconf which certificates to trust and
    // runs `openssl rehash`. Every image gets cacert, so this keeps
    // openssl, libssl3, debconf and perl-base out of images that do not
    // ask for them.
    ['ca-certificates', new Set(['openssl', 'debconf', 'debconf-2.0'])],
  ]);

/** The package without the dependencies the table lists for it. */
export function dropScriptOnlyDependencies(
  pkg: DebianPackage,
  table: ReadonlyMap<string, ReadonlySet<string>> = SCRIPT_ONLY_DEPENDENCIES,
): DebianPackage {
  const dropped = table.get(pkg.name);
  if (!dropped) return pkg;

  const depends = pkg.depends.filter(
    (alternatives) => !alternatives.every((name) => dropped.has(name)),
  );
  return { ...pkg, depends };
}

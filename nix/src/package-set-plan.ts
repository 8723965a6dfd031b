import { compareStrings } from './string-order.ts';

import type { DependencyClosure } from './dependency-closure.ts';
import type { DebianPackage } from './debian-package.ts';

/** One derivation of the package set: a package, or a cycle of them. */
export interface PlannedDerivation {
  /** The attribute holding it: its first member's attribute name. */
  attribute: string;
  /** Store name before sanitising, e.g. `bash-5.2.15-2+b13`. */
  name: string;
  description: string;
  /** Sorted by name; more than one when they depend on each other. */
  members: DebianPackage[];
  /** Attributes of the derivations it needs at run time, sorted. */
  dependencies: string[];
  /** The members' fixups, in member order, one after the other. */
  fixup: string;
}

/** Everything the package set expression says, in output order. */
export interface PackageSetPlan {
  derivations: PlannedDerivation[];
  /** Attribute of every non-first cycle member → its derivation's attribute. */
  cycleMembers: Array<[string, string]>;
  /** Nixpkgs-style name → attribute, for aliases whose target is present. */
  aliases: Array<[string, string]>;
}

/** Store names must stay under 211 characters; long cycles are summarised. */
const MAX_JOINED_MEMBERS = 4;

/**
 * The attribute a Debian package is found under. Debian names may start
 * with a digit, Nix identifiers may not: like nixpkgs (`_1password`), such
 * names get a leading underscore, which `image.nix` also looks for.
 */
export function packageAttribute(debianName: string): string {
  return /^[0-9]/.test(debianName) ? `_${debianName}` : debianName;
}

/**
 * Lays out the package set: one derivation per strongly connected component
 * (given sorted, as `findStrongComponents` returns them), the attributes of
 * the other members of each cycle, and the aliases. Pure and deterministic.
 */
export function planPackageSet(
  closure: DependencyClosure,
  components: readonly string[][],
  fixups: ReadonlyMap<string, string>,
  aliases: ReadonlyMap<string, string>,
): PackageSetPlan {
  const packages = new Map(closure.packages.map((pkg) => [pkg.name, pkg]));
  const owner = new Map<string, string>();
  for (const component of components) {
    for (const member of component) owner.set(member, component[0] as string);
  }

  const derivations = components.map((component) => {
    const members = component.map((name) => packages.get(name) as DebianPackage);
    const outside = new Set<string>();
    for (const member of component) {
      for (const target of closure.edges.get(member) ?? []) {
        const targetOwner = owner.get(target);
        if (targetOwner && targetOwner !== component[0]) outside.add(targetOwner);
      }
    }

    return {
      attribute: packageAttribute(component[0] as string),
      name: storeName(members),
      description: describe(members),
      members,
      dependencies: [...outside].map(packageAttribute).sort(compareStrings),
      fixup: component.flatMap((name) => fixups.get(name) ?? []).join('\n'),
    };
  });

  const cycleMembers = [...owner]
    .filter(([member, first]) => member !== first)
    .map(([member, first]): [string, string] => [
      packageAttribute(member),
      packageAttribute(first),
    ])
    .sort((a, b) => compareStrings(a[0], b[0]));

  const taken = new Set([...owner.keys()].map(packageAttribute));
  const presentAliases = [...aliases]
    .filter(([alias, target]) => packages.has(target) && !taken.has(alias))
    .map(([alias, target]): [string, string] => [alias, packageAttribute(target)])
    .sort((a, b) => compareStrings(a[0], b[0]));

  return { derivations, cycleMembers, aliases: presentAliases };
}

function storeName(members: readonly DebianPackage[]): string {
  const [first] = members;
  if (!first) throw new Error('a strongly connected component has no member');
  if (members.length === 1) return `${first.name}-${first.version}`;
  if (members.length <= MAX_JOINED_MEMBERS) {
    return members.map((pkg) => pkg.name).join('+');
  }
  return `${first.name}+${members.length - 1}-more`;
}

function describe(members: readonly DebianPackage[]): string {
  const [first] = members;
  if (members.length === 1 && first) return first.summary || first.name;

  const names = members.map((pkg) => pkg.name).join(', ');
  return `${names}: Debian packages that depend on each other, built together`;
}

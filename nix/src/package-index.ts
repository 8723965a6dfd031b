import { compareStrings } from './string-order.ts';

import type { DebianPackage } from './debian-package.ts';
import type { Alternatives } from './relation-field.ts';

/** apt's packages by name, and the real packages providing each virtual name. */
export interface PackageIndex {
  packages: ReadonlyMap<string, DebianPackage>;
  /** Providers of each virtual name, in order of preference. */
  providers: ReadonlyMap<string, readonly string[]>;
}

/**
 * Indexes packages. When apt lists a name twice the first stanza wins,
 * as `apt-cache dumpavail` prints the candidate version first.
 */
export function indexPackages(packages: Iterable<DebianPackage>): PackageIndex {
  const byName = new Map<string, DebianPackage>();
  for (const pkg of packages) {
    if (!byName.has(pkg.name)) byName.set(pkg.name, pkg);
  }

  const providers = new Map<string, string[]>();
  for (const pkg of byName.values()) {
    for (const virtual of pkg.provides) {
      const list = providers.get(virtual) ?? [];
      if (!list.includes(pkg.name)) list.push(pkg.name);
      providers.set(virtual, list);
    }
  }
  for (const list of providers.values()) {
    list.sort((a, b) => rank(byName, a) - rank(byName, b) || compareStrings(a, b));
  }

  return { packages: byName, providers };
}

/**
 * Picks the package that satisfies `a | b | …`: the first alternative that
 * is a real package, else the preferred provider of the first alternative
 * that has one: the one of highest Debian priority (what a default install
 * has, e.g. mawk for `awk`), then the first by name. Returns undefined
 * when nothing satisfies it.
 *
 * The rule ignores what else the closure holds, so the choice for one
 * entry never depends on the order in which entries are visited.
 */
export function chooseAlternative(
  index: PackageIndex,
  alternatives: Alternatives,
): string | undefined {
  const real = alternatives.find((name) => index.packages.has(name));
  if (real) return real;

  for (const name of alternatives) {
    const provider = index.providers.get(name)?.[0];
    if (provider) return provider;
  }
  return undefined;
}

/** Debian Policy 2.5, most important first; anything else ranks last. */
const PRIORITIES = ['required', 'important', 'standard', 'optional', 'extra'];

function rank(packages: ReadonlyMap<string, DebianPackage>, name: string): number {
  const index = PRIORITIES.indexOf(packages.get(name)?.priority ?? '');
  return index === -1 ? PRIORITIES.length : index;
}

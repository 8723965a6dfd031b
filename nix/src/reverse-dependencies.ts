import { chooseAlternative } from './package-index.ts';
import { compareStrings } from './string-order.ts';

import type { PackageIndex } from './package-index.ts';

/**
 * Each package's resolved runtime dependencies: every `Pre-Depends` and
 * `Depends` entry resolved by {@link chooseAlternative}, as the package
 * set generator resolves them, without the package itself. Sorted.
 */
export function resolveDependencies(index: PackageIndex): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const pkg of index.packages.values()) {
    const targets = new Set<string>();
    for (const alternatives of pkg.depends) {
      const target = chooseAlternative(index, alternatives);
      if (target !== undefined && target !== pkg.name) targets.add(target);
    }
    edges.set(pkg.name, [...targets].sort(compareStrings));
  }
  return edges;
}

/**
 * Popularity: how many other packages depend on each package directly,
 * once resolved. Like Nixery's popularity data, a package nothing depends
 * on is left out, so readers treat it as unknown. Keys are sorted, so the
 * same index gives the same JSON.
 *
 * @example a → c, b → c, b → a gives { a: 1, c: 2 }
 */
export function countReverseDependencies(
  edges: ReadonlyMap<string, readonly string[]>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const targets of edges.values()) {
    for (const target of targets) counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => compareStrings(a[0], b[0])));
}

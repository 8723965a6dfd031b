import { chooseAlternative } from './package-index.ts';
import { compareStrings } from './string-order.ts';

import type { DebianPackage } from './debian-package.ts';
import type { PackageIndex } from './package-index.ts';
import type { Alternatives } from './relation-field.ts';

/** A dependency entry that no package in the index satisfies. */
export interface UnresolvedDependency {
  from: string;
  alternatives: Alternatives;
}

/** The runtime dependency closure of some root packages. */
export interface DependencyClosure {
  /** Every package of the closure, sorted by name. */
  packages: DebianPackage[];
  /** Each package's chosen dependencies, sorted, without itself. */
  edges: ReadonlyMap<string, readonly string[]>;
  /** Requested names that are not real packages in the index. */
  unknownRoots: string[];
  unresolved: UnresolvedDependency[];
}

/**
 * Walks `Pre-Depends` and `Depends` from the roots. Each entry resolves to
 * one package by {@link chooseAlternative}. Essential packages are added
 * only where something declares them: Debian leaves them undeclared, and
 * an image gets them by asking for them.
 */
export function resolveClosure(
  index: PackageIndex,
  roots: readonly string[],
): DependencyClosure {
  const unknownRoots = roots.filter((name) => !index.packages.has(name));
  const pending = roots.filter((name) => index.packages.has(name));
  const edges = new Map<string, string[]>();
  const unresolved: UnresolvedDependency[] = [];

  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (edges.has(name)) continue;

    const pkg = index.packages.get(name) as DebianPackage;
    const targets = new Set<string>();
    for (const alternatives of pkg.depends) {
      const target = chooseAlternative(index, alternatives);
      if (target === undefined) unresolved.push({ from: name, alternatives });
      else if (target !== name) targets.add(target);
    }

    edges.set(name, [...targets].sort());
    pending.push(...targets);
  }

  const names = [...edges.keys()].sort();
  return {
    packages: names.map((name) => index.packages.get(name) as DebianPackage),
    edges,
    unknownRoots,
    unresolved: unresolved.sort((a, b) => compareStrings(a.from, b.from)),
  };
}

import { countReverseDependencies } from '../nix/src/reverse-dependencies.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

import { seededRandom } from './fleet.ts';
import { fakeStorePath, PackageGraph } from './package-graph.ts';

/** A made-up package set and its popularity, for CI-sized benches. */
export interface SyntheticGraph {
  graph: PackageGraph;
  popularity: Map<string, number>;
  names: string[];
}

/**
 * A random package set shaped like a real one: package i depends on up
 * to `fanOut` earlier packages, picked with preferential attachment (a
 * package many depend on gets picked more), so a few libraries end up
 * in most closures. Sizes spread over four orders of magnitude.
 */
export function syntheticGraph(count: number, fanOut: number, seed: number): SyntheticGraph {
  const random = seededRandom(seed);
  const names = Array.from({ length: count }, (_, i) => `pkg${i}`);
  const edges = new Map<string, string[]>();
  const picks: string[] = [];

  for (const name of names) {
    const deps = new Set<string>();
    const wanted = picks.length === 0 ? 0 : 1 + Math.floor(random() * fanOut);
    for (let k = 0; k < wanted; k++) deps.add(picks[Math.floor(random() * picks.length)]!);
    edges.set(name, [...deps].sort());
    picks.push(name, ...deps);
  }

  const pathOf = new Map(names.map((name) => [name, fakeStorePath(`${name}-1.0`)]));
  const paths: StorePath[] = names.map((name) => ({
    path: pathOf.get(name)!,
    narSize: Math.round(10 ** (3 + random() * 4)),
    references: edges.get(name)!.map((dep) => pathOf.get(dep)!),
  }));
  return {
    graph: new PackageGraph(paths, pathOf),
    popularity: countReverseDependencies(edges),
    names,
  };
}

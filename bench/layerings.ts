import { groupLayers, type LayerGroup } from '../services/builder/src/layers.ts';
import { popularityOf } from '../services/builder/src/popularity.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

import { groupLayersNixery } from './nixery-layering.ts';
import type { Layering } from './pull-simulation.ts';

/** The layerings the bench compares, by the name it prints. */
export function layerings(
  popularity: ReadonlyMap<string, number>,
  closureSize: (path: string) => number,
): Record<string, Layering> {
  const lookup = (path: string) => popularityOf(popularity, path);
  return {
    'per image': ({ closure }) => [{ paths: closure.map((p) => p.path), size: sum(closure) }],
    'per path': ({ closure }, budget) => perPath(closure, budget),
    nixery: ({ closure, roots }, budget) =>
      groupLayersNixery({ closure, roots, budget, popularity: lookup, closureSize }),
    'ours, cold': ({ closure }, budget) => groupLayers({ closure, budget, popularity: lookup }),
    ours: ({ closure }, budget, packed, previous) =>
      groupLayers({ closure, budget, popularity: lookup, packed: packed.values(), previous }),
  };
}

/**
 * One layer per store path while the budget allows; past it the largest
 * `budget - 1` paths keep their own and the rest share the last.
 */
export function perPath(closure: readonly StorePath[], budget: number): LayerGroup[] {
  const bySize = [...closure].sort((a, b) => b.narSize - a.narSize || (a.path < b.path ? -1 : 1));
  const single = (p: StorePath) => ({ paths: [p.path], size: p.narSize });
  if (bySize.length <= budget) return bySize.map(single);
  const rest = bySize.slice(budget - 1);
  const last = { paths: rest.map((p) => p.path).sort(), size: sum(rest) };
  return [...bySize.slice(0, budget - 1).map(single), last];
}

function sum(paths: readonly StorePath[]): number {
  return paths.reduce((total, p) => total + p.narSize, 0);
}

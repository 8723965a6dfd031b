import type { StorePath } from './nix.ts';

/** A group of store paths packed into one layer. */
export interface LayerGroup {
  /** Sorted store paths; the sorted set is the layer's identity. */
  paths: string[];
  /** Sum of the paths' NAR sizes: roughly the layer's unpacked size. */
  size: number;
}

/**
 * Groups a closure into at most `budget` layers.
 *
 * Every store path gets a layer of its own while the budget allows, so
 * any path two images share is one layer both reuse. When the closure
 * has more paths than the budget, the largest `budget - 1` paths keep
 * their own layers and all smaller ones share the last: small paths cost
 * little to download twice, large ones a lot.
 *
 * Example, budget 3, paths a (10 MB), b (5 MB), c (1 MB), d (1 KB):
 * layers [a], [b], [c, d].
 *
 * Layers are ordered by path name, which is stable across builds, so an
 * image that grows by one package keeps the order of the layers it had.
 */
export function groupLayers(closure: StorePath[], budget: number): LayerGroup[] {
  if (budget < 1) throw new RangeError('layer budget must be at least 1');
  const bySize = [...closure].sort(
    (a, b) => b.narSize - a.narSize || compare(a.path, b.path),
  );
  const single = closure.length <= budget ? bySize : bySize.slice(0, budget - 1);
  const rest = closure.length <= budget ? [] : bySize.slice(budget - 1);

  const groups = single.map((p) => ({ paths: [p.path], size: p.narSize }));
  if (rest.length > 0) {
    groups.push({
      paths: rest.map((p) => p.path).sort(compare),
      size: rest.reduce((sum, p) => sum + p.narSize, 0),
    });
  }
  return groups.sort((a, b) => compare(a.paths[0]!, b.paths[0]!));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Nixery's layering, rewritten from its published design (the "improved
 * layering" design of 2019 and the description atop its layers package),
 * as the reference the layering bench measures ours against. Its quirks
 * are kept on purpose, since they are what Nixery does:
 *
 * - A node's size is its closure size (`closureSize`), not its own NAR
 *   size: both the 100 MB "big" threshold and the merge ratings use it,
 *   so a layer's rating sums the closure sizes of all its members.
 * - A node is popular at 1000 or more dependants; unknown ones count 1.
 * - The image root has an edge to each top-level path and to every big or
 *   popular node; each top-level subtree of the dominator tree is a layer.
 * - Layers are sorted once by rating (root popularity × size), ascending,
 *   then the first is merged into the second until the budget holds. The
 *   list is not sorted again between merges, so the merged layer always
 *   absorbs the next one in the original order.
 *
 * One difference is deliberate: Nixery looks popularity up by exact store
 * name, as its own popcount keys it; here both layerings read the same
 * table through the same lookup, so neither gains from the data.
 */
import { immediateDominators } from '../services/builder/src/dominators.ts';
import type { LayerGroup } from '../services/builder/src/layers.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

/** What Nixery's grouping reads. */
export interface NixeryInput {
  closure: readonly StorePath[];
  /** The image's top-level paths (Nixery's `exportReferencesGraph`). */
  roots: readonly string[];
  budget: number;
  popularity: (path: string) => number | undefined;
  /** Size of a path's whole closure, as `nix path-info -S` reports it. */
  closureSize: (path: string) => number;
}

const BIG_CLOSURE_BYTES = 100 * 1000 * 1000;
const POPULAR_DEPENDANTS = 1000;

interface Rated {
  paths: string[];
  rating: number;
}

/** Nixery's layers, in the order its manifest lists them. */
export function groupLayersNixery(input: NixeryInput): LayerGroup[] {
  const { closure } = input;
  const index = new Map(closure.map((p, i) => [p.path, i + 1]));
  const popularity = closure.map((p) => input.popularity(p.path) ?? 1);
  const size = closure.map((p) => input.closureSize(p.path));

  const top = new Set(input.roots.flatMap((path) => index.get(path) ?? []));
  closure.forEach((_, i) => {
    if (size[i]! > BIG_CLOSURE_BYTES || popularity[i]! >= POPULAR_DEPENDANTS) top.add(i + 1);
  });
  const successors = [[...top].sort((a, b) => a - b)];
  for (const p of closure) {
    successors.push(p.references.flatMap((ref) => (ref === p.path ? [] : index.get(ref) ?? [])));
  }

  const idom = immediateDominators(closure.length + 1, successors);
  const children: number[][] = Array.from({ length: closure.length + 1 }, () => []);
  for (let node = 1; node <= closure.length; node++) {
    const parent = idom[node] as number;
    if (parent >= 0) children[parent]!.push(node);
  }

  const layers: Rated[] = children[0]!.map((head) => {
    const nodes = subtree(children, head);
    const total = nodes.reduce((sum, node) => sum + size[node - 1]!, 0);
    return {
      paths: nodes.map((node) => closure[node - 1]!.path),
      rating: popularity[head - 1]! * total,
    };
  });
  layers.sort((a, b) => a.rating - b.rating);

  while (layers.length > input.budget) {
    const [first, second] = layers as [Rated, Rated];
    layers.splice(0, 2, {
      paths: [...first.paths, ...second.paths],
      rating: first.rating + second.rating,
    });
  }

  const narSize = new Map(closure.map((p) => [p.path, p.narSize]));
  return layers.map((layer) => ({
    paths: [...layer.paths].sort(),
    size: layer.paths.reduce((sum, path) => sum + (narSize.get(path) ?? 0), 0),
  }));
}

function subtree(children: readonly number[][], head: number): number[] {
  const nodes = [head];
  for (let i = 0; i < nodes.length; i++) nodes.push(...children[nodes[i]!]!);
  return nodes;
}

/**
 * Closure sizes of every path of a closure (own NAR size plus that of
 * everything it reaches), for callers that have no `closureSize` at hand.
 */
export function closureSizes(closure: readonly StorePath[]): Map<string, number> {
  const byPath = new Map(closure.map((p) => [p.path, p]));
  const sizes = new Map<string, number>();
  for (const start of closure) {
    const seen = new Set([start.path]);
    const stack = [start.path];
    let total = 0;
    while (stack.length > 0) {
      const path = stack.pop() as string;
      total += byPath.get(path)?.narSize ?? 0;
      for (const ref of byPath.get(path)?.references ?? []) {
        if (!seen.has(ref) && byPath.has(ref)) {
          seen.add(ref);
          stack.push(ref);
        }
      }
    }
    sizes.set(start.path, total);
  }
  return sizes;
}

import { createHash } from 'node:crypto';

import type { LayerGroup } from '../services/builder/src/layers.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

/** One image of a pull sequence: what was asked for, and its closure. */
export interface ImageClosure {
  roots: string[];
  closure: StorePath[];
}

/**
 * A layering under test. `packed` is every group the registry packed for
 * earlier images (its layer cache); a stateless layering ignores it.
 */
export type Layering = (
  image: ImageClosure,
  budget: number,
  packed: ReadonlyMap<string, readonly string[]>,
  manifests: readonly (readonly (readonly string[])[])[],
) => LayerGroup[];

/** What a client downloaded pulling a whole sequence. */
export interface PullTotals {
  /** Skipping each layer whose contents it holds (containerd, podman). */
  bytes: number;
  /**
   * Skipping a layer only when it holds the same layers below it too:
   * docker keys stored layers by chain (the layer and all its parents).
   */
  chainBytes: number;
  layers: number;
}

/**
 * Pulls the images in order, like one client of a registry that builds
 * each image on its first pull: a layer is downloaded unless the client
 * already holds one with exactly the same paths. Throws when a layering
 * breaks the budget or does not cover the closure exactly once.
 */
export function simulatePulls(
  images: readonly ImageClosure[],
  layering: Layering,
  budget: number,
): PullTotals {
  const packed = new Map<string, readonly string[]>();
  const manifests: string[][][] = [];
  const held = new Set<string>();
  const chains = new Set<string>();
  const totals = { bytes: 0, chainBytes: 0, layers: 0 };

  for (const image of images) {
    const groups = layering(image, budget, packed, manifests);
    manifests.push(groups.map((group) => group.paths));
    checkLayers(image.closure, groups, budget);
    totals.layers += groups.length;

    let chain = '';
    for (const group of groups) {
      const key = group.paths.join('\n');
      packed.set(key, group.paths);
      chain = createHash('sha256').update(`${chain}\n${key}`).digest('hex');
      if (!chains.has(chain)) totals.chainBytes += group.size;
      chains.add(chain);
      if (held.has(key)) continue;
      held.add(key);
      totals.bytes += group.size;
    }
  }
  return totals;
}

/** Bytes of every distinct path of the sequence, each counted once. */
export function lowerBound(images: readonly ImageClosure[]): number {
  const sizes = new Map<string, number>();
  for (const image of images) for (const p of image.closure) sizes.set(p.path, p.narSize);
  return [...sizes.values()].reduce((sum, size) => sum + size, 0);
}

/** Throws unless the groups cover the closure exactly once within budget. */
export function checkLayers(
  closure: readonly StorePath[],
  groups: readonly LayerGroup[],
  budget: number,
): void {
  if (groups.length > budget) {
    throw new Error(`${groups.length} layers exceed the budget of ${budget}`);
  }
  const seen = new Set<string>();
  for (const path of groups.flatMap((group) => group.paths)) {
    if (seen.has(path)) throw new Error(`${path} is in two layers`);
    seen.add(path);
  }
  const missing = closure.find((p) => !seen.has(p.path));
  if (missing || seen.size !== closure.length) {
    throw new Error(`the layers do not cover the closure (${missing?.path ?? 'extra paths'})`);
  }
}

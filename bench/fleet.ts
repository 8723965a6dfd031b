import type { PackageGraph } from './package-graph.ts';

/** A deterministic pseudo-random source (mulberry32) for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a fleet is made of; every image holds `always`. */
export interface FleetShape {
  images: number;
  always: readonly string[];
  /** Added to about half of the images, like Nixport's `shell`. */
  shell: readonly string[];
  /** Language runtimes; a fleet uses a few of them. */
  stacks: readonly (readonly string[])[];
  stacksPerFleet: number;
  /** Packages the fleet's applications are drawn from. */
  apps: readonly string[];
  appsPerFleet: number;
  /** Most applications one image asks for. */
  maxAppsPerImage: number;
  /** Applications with a larger closure (in paths) are left out. */
  maxAppClosure: number;
}

/**
 * A sequence of related images, each a list of package names: a fleet
 * picks a few stacks and a pool of applications, then each image takes
 * the common packages, maybe the shell, maybe one stack and one to a few
 * applications. Stacks and applications are drawn with Zipf weights
 * (the k-th is k times rarer than the first), so some recur often and
 * others once, as in a real fleet. Packages the graph lacks are skipped.
 */
export function makeFleet(graph: PackageGraph, shape: FleetShape, seed: number): string[][] {
  const random = seededRandom(seed);
  const known = (names: readonly string[]) => names.every((n) => graph.pathOf(n));
  const fits = (name: string) => {
    const path = graph.pathOf(name);
    return path !== undefined && graph.closureOf([path]).length <= shape.maxAppClosure;
  };
  const stacks = pick(shape.stacks.filter(known), shape.stacksPerFleet, random, () => true);
  const apps = pick(shape.apps, shape.appsPerFleet, random, fits);

  const images: string[][] = [];
  for (let i = 0; i < shape.images; i++) {
    const names = new Set(shape.always.filter((n) => graph.pathOf(n)));
    if (random() < 0.5) for (const n of shape.shell) names.add(n);
    if (stacks.length > 0 && random() < 0.7) {
      for (const n of zipf(stacks, random)) names.add(n);
    }
    const count = 1 + Math.floor(random() * shape.maxAppsPerImage);
    for (let k = 0; k < count && apps.length > 0; k++) names.add(zipf(apps, random));
    images.push([...names].filter((n) => graph.pathOf(n)).sort());
  }
  return images;
}

function pick<T>(
  items: readonly T[],
  count: number,
  random: () => number,
  accept: (item: T) => boolean,
): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    const item = pool.splice(Math.floor(random() * pool.length), 1)[0] as T;
    if (accept(item)) chosen.push(item);
  }
  return chosen;
}

function zipf<T>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, _, k) => sum + 1 / (k + 1), 0);
  let target = random() * total;
  for (const [k, item] of items.entries()) {
    target -= 1 / (k + 1);
    if (target <= 0) return item;
  }
  return items[items.length - 1] as T;
}

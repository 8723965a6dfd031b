/**
 * Layer grouping: which store paths of an image's closure share a layer.
 *
 * A client downloads a layer unless it holds one with the same contents,
 * so a path costs bytes again whenever it lands in a layer that differs
 * from the one it came in before. The grouping therefore puts paths
 * together only when they travel together in every image, and spends the
 * layer budget on what other images are likely to share.
 *
 * Inputs: the closure (path, NAR size, references), the layer budget, and
 * optionally the paths' popularity (how many packages of the whole package
 * set depend on each, from `npm run popcount`), the groups earlier builds
 * packed, and the layer lists of earlier manifests.
 *
 * Steps:
 * 1. Reuse. Packed groups wholly inside the closure are taken as they are,
 *    largest first, skipping any that overlaps one already taken: a client
 *    that pulled a related image has those layers.
 * 2. Units. Every other path is a "head" when an image asks for it (no
 *    path of the closure refers to it), when its popularity is unknown, or
 *    when more than PRIVATE_MAX packages need it. A path that is not a
 *    head joins the unit of its immediate dominator in the reference graph
 *    (root → heads): it is reached only through that path, and since at
 *    most one package in the whole set needs it, every image holding the
 *    dominator holds it too, so the unit is the same in every image.
 * 3. Budget. When there are more units than layers, the least valuable are
 *    merged into one last layer. A unit is worth its size; a reused group
 *    twice its size (REUSED_WEIGHT), since merging it costs clients the
 *    bytes they already hold as well as its reuse later. Ties go to the
 *    more popular unit.
 * 4. Order. Docker skips a layer only when it holds the same layers below
 *    it (it keys layers by chain), so when an earlier image's manifest
 *    starts with layers this image has, the longest such run comes first,
 *    in that order. The rest go by popularity, most popular first, then
 *    by first path, and the merged layer last: the order of any two of
 *    them is the same in every image.
 *
 * Example, budget 3: htop → libncursesw6 → libtinfo6 → libc6, with
 * popularity htop unknown, libncursesw6 300, libtinfo6 1, libc6 20000,
 * and no cached groups. Heads: htop (asked for), libncursesw6 and libc6
 * (popular); libtinfo6 is private to libncursesw6 and joins it. Three
 * units fit: layers [libc6], [libncursesw6, libtinfo6], [htop]. With
 * budget 2, the two smallest units share the last layer.
 *
 * Thresholds: PRIVATE_MAX is 1 because a path with two dependants can
 * appear without either one; grouping it with one would give another
 * layer in an image holding only the other. Popularity does not weigh in
 * the merge ranking: on the layering bench (`npm run bench:layering`),
 * weighting sizes by log2(2 + popularity) made clients download more than
 * size alone in 7 of the 9 runs where the two differed (by up to 3.4 %):
 * the packages a fleet asks for again are not the ones many packages
 * depend on. REUSED_WEIGHT 2 did best of 1, 2, 4 and 16 there, though
 * the four were close (bench ratios 0.104 to 0.110).
 */
import { immediateDominators } from './dominators.ts';
import type { StorePath } from './nix.ts';

/** A group of store paths packed into one layer. */
export interface LayerGroup {
  /** Sorted store paths; the sorted set is the layer's identity. */
  paths: string[];
  /** Sum of the paths' NAR sizes: roughly the layer's unpacked size. */
  size: number;
}

/** What {@link groupLayers} decides from. */
export interface LayeringInput {
  closure: readonly StorePath[];
  /** Most layers the closure may take; at least 1. */
  budget: number;
  /** A path's popularity, undefined when unknown. */
  popularity?: (path: string) => number | undefined;
  /** Groups the layer cache already holds, each a list of store paths. */
  packed?: Iterable<readonly string[]>;
  /** Earlier images' store-path layers in manifest order; first wins ties. */
  previous?: Iterable<readonly (readonly string[])[]>;
}

/** At most this many dependants make a path private to its dominator. */
const PRIVATE_MAX = 1;
/** Weight of a reused group's size against a fresh unit's. */
const REUSED_WEIGHT = 2;

interface Unit {
  paths: string[];
  size: number;
  popularity: number;
  value: number;
}

/**
 * Groups a closure into at most `budget` layers, ordered as the manifest
 * lists them. Pure and deterministic: the same input gives the same
 * layers in the same order.
 */
export function groupLayers(input: LayeringInput): LayerGroup[] {
  const { closure, budget } = input;
  if (!(budget >= 1)) throw new RangeError('layer budget must be at least 1');
  const popularity = input.popularity ?? (() => undefined);

  const sizes = new Map(closure.map((p) => [p.path, p.narSize]));
  const unit = (paths: readonly string[], weight: number) =>
    unitOf(paths, sizes, popularity, weight);

  const reused = reuseGroups(sizes, input.packed ?? []);
  const taken = new Set(reused.flatMap((group) => group.paths));
  const units = [
    ...reused.map((group) => unit(group.paths, REUSED_WEIGHT)),
    ...freshUnits(closure, taken, popularity).map((paths) => unit(paths, 1)),
  ];

  const ranked = [...units].sort(
    (a, b) => b.value - a.value || b.popularity - a.popularity || byFirst(a, b),
  );
  const kept = units.length <= budget ? ranked : ranked.slice(0, budget - 1);
  const merged = units.length <= budget ? [] : ranked.slice(budget - 1);

  const layers = kept
    .sort((a, b) => b.popularity - a.popularity || byFirst(a, b))
    .map(({ paths, size }) => ({ paths, size }));
  if (merged.length > 0) {
    layers.push({
      paths: merged.flatMap((unit) => unit.paths).sort(compare),
      size: merged.reduce((sum, unit) => sum + unit.size, 0),
    });
  }
  return followPrevious(layers, input.previous ?? []);
}

/** Step 4: the longest run of layers an earlier manifest starts with. */
function followPrevious(
  layers: LayerGroup[],
  previous: Iterable<readonly (readonly string[])[]>,
): LayerGroup[] {
  const byKey = new Map(layers.map((layer) => [layer.paths.join('\n'), layer]));
  let best: LayerGroup[] = [];
  for (const manifest of previous) {
    const run: LayerGroup[] = [];
    for (const group of manifest) {
      const layer = byKey.get([...group].sort(compare).join('\n'));
      if (!layer || run.includes(layer)) break;
      run.push(layer);
    }
    if (run.length > best.length) best = run;
  }
  const first = new Set(best);
  return [...best, ...layers.filter((layer) => !first.has(layer))];
}

/** Step 1: packed groups inside the closure, largest first, disjoint. */
function reuseGroups(
  sizes: ReadonlyMap<string, number>,
  packed: Iterable<readonly string[]>,
): LayerGroup[] {
  const candidates: LayerGroup[] = [];
  for (const group of packed) {
    if (group.length === 0 || !group.every((path) => sizes.has(path))) continue;
    const paths = [...group].sort(compare);
    candidates.push({ paths, size: paths.reduce((s, p) => s + (sizes.get(p) ?? 0), 0) });
  }
  candidates.sort((a, b) => b.size - a.size || compareLists(a.paths, b.paths));

  const taken = new Set<string>();
  const chosen: LayerGroup[] = [];
  for (const group of candidates) {
    if (group.paths.some((path) => taken.has(path))) continue;
    for (const path of group.paths) taken.add(path);
    chosen.push(group);
  }
  return chosen;
}

/** Step 2: heads and the private paths they dominate. */
function freshUnits(
  closure: readonly StorePath[],
  taken: ReadonlySet<string>,
  popularity: (path: string) => number | undefined,
): string[][] {
  const index = new Map(closure.map((p, i) => [p.path, i + 1]));
  const referred = new Uint8Array(closure.length + 1);
  for (const p of closure) {
    for (const ref of p.references) if (ref !== p.path) referred[index.get(ref) ?? 0] = 1;
  }

  const head = closure.map((p, i) => {
    const count = popularity(p.path);
    const cut = taken.has(p.path) || !referred[i + 1] || count === undefined;
    return cut || count > PRIVATE_MAX;
  });
  const successors: number[][] = [closure.flatMap((_, i) => (head[i] ? [i + 1] : []))];
  for (const p of closure) {
    successors.push(p.references.flatMap((ref) => index.get(ref) ?? []));
  }
  const idom = immediateDominators(closure.length + 1, successors);

  // A unit is owned by the head it hangs from: climb the idom chain from
  // each path until a head (or a known owner), then label the climb.
  const owner = new Int32Array(closure.length + 1).fill(-1);
  const attaches = (node: number, up: number) =>
    !head[node - 1] && up > 0 && !taken.has(closure[up - 1]!.path);
  for (let start = 1; start <= closure.length; start++) {
    const climb: number[] = [];
    let node = start;
    while (owner[node] === -1) {
      climb.push(node);
      const up = idom[node] as number;
      if (!attaches(node, up)) {
        owner[node] = node;
        break;
      }
      node = up;
    }
    for (const visited of climb) owner[visited] = owner[node] as number;
  }

  const members = new Map<number, string[]>();
  closure.forEach((p, i) => {
    if (taken.has(p.path)) return;
    const key = owner[i + 1] as number;
    const list = members.get(key);
    if (list) list.push(p.path);
    else members.set(key, [p.path]);
  });
  return [...members.values()];
}

function unitOf(
  paths: readonly string[],
  sizes: ReadonlyMap<string, number>,
  popularity: (path: string) => number | undefined,
  weight: number,
): Unit {
  const sorted = [...paths].sort(compare);
  const size = sorted.reduce((sum, path) => sum + (sizes.get(path) ?? 0), 0);
  const most = Math.max(0, ...sorted.map((path) => popularity(path) ?? 0));
  return { paths: sorted, size, popularity: most, value: size * weight };
}

function byFirst(a: Unit, b: Unit): number {
  return compare(a.paths[0] ?? '', b.paths[0] ?? '');
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  return compare(a.join('\n'), b.join('\n'));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

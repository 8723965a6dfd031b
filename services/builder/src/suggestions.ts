/** How many close matches an unknown name is shown with. */
const MAX_SUGGESTIONS = 3;

/**
 * The package names closest to a name the set lacks, best first: those
 * within an edit distance of a third of the name's length (at least 1,
 * compared without case, as image names are lower-case), ties broken by
 * name. `htopp` finds `htop`; `nosuchpackage` finds nothing rather than
 * something unrelated.
 *
 * A third: one typo in a short name, two in a long one, and never so many
 * that a four-letter name matches most four-letter names.
 */
export function closeMatches(name: string, candidates: readonly string[]): string[] {
  const wanted = name.toLowerCase();
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  const scored: [number, string][] = [];
  for (const candidate of new Set(candidates)) {
    if (Math.abs(candidate.length - wanted.length) > limit) continue;
    const distance = editDistance(wanted, candidate.toLowerCase(), limit);
    if (distance <= limit) scored.push([distance, candidate]);
  }
  scored.sort(([a, x], [b, y]) => a - b || (x < y ? -1 : x > y ? 1 : 0));
  // Suggested as an image name is written: lower-case, which the package
  // set's lookup maps back to the attribute (bashinteractive).
  const names = scored.map(([, candidate]) => candidate.toLowerCase());
  return [...new Set(names)].slice(0, MAX_SUGGESTIONS);
}

/**
 * Edit distance of two strings: insertions, deletions, substitutions and
 * swaps of two neighbours (`gti` is one edit from `git`), each costing 1
 * (the optimal string alignment distance). Gives up, returning
 * `limit + 1`, once every cell of a row exceeds `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let cell = Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cell = Math.min(cell, before[j - 2]! + 1);
      }
      row[j] = cell;
      best = Math.min(best, cell);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * How many packages of a package set depend directly on each package,
 * keyed by package name (`libc6`, `glibc`) or by store name without the
 * hash (`bash-5.2.15-2+b13`). Made by `npm run popcount`.
 */
export type Popularity = ReadonlyMap<string, number>;

/** `/nix/store/<hash>-bash-5.2` → `bash-5.2`. */
export function storeName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dash = base.indexOf('-');
  return dash === 32 ? base.slice(dash + 1) : base;
}

/**
 * The package name of a store name, as Nix's `parseDrvName` splits it:
 * up to the first `-` followed by something other than a letter.
 * `libgcc-s1-12.2.0-14` → `libgcc-s1`, `git-1_2.39.5` → `git`.
 */
export function packageName(name: string): string {
  const match = /-[^A-Za-z]/.exec(name);
  return match ? name.slice(0, match.index) : name;
}

/**
 * A store path's popularity, or undefined when the table does not know
 * it. Tries the store name, then the package name; a path holding a
 * dependency cycle (`libc6+libgcc-s1`, `perl+3-more`) counts as its most
 * popular member that the table knows.
 */
export function popularityOf(table: Popularity, path: string): number | undefined {
  const name = storeName(path);
  const direct = table.get(name) ?? table.get(packageName(name));
  if (direct !== undefined || !name.includes('+')) return direct;

  let best: number | undefined;
  for (const member of packageName(name).split('+')) {
    const count = table.get(member);
    if (count !== undefined && (best === undefined || count > best)) best = count;
  }
  return best;
}

/** Validates parsed JSON as a popularity table; throws naming the problem. */
export function readPopularity(json: unknown): Popularity {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError('popularity must be a JSON object of name to count');
  }
  const table = new Map<string, number>();
  for (const [name, count] of Object.entries(json)) {
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      throw new TypeError(`popularity of ${name} must be a count, not ${String(count)}`);
    }
    table.set(name, count);
  }
  return table;
}

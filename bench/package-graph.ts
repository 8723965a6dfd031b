import { createHash } from 'node:crypto';

import type { StorePath } from '../services/builder/src/nix.ts';

/** A package set's store paths, as the bench pulls images from it. */
export class PackageGraph {
  readonly #paths: ReadonlyMap<string, StorePath>;
  readonly #byPackage: ReadonlyMap<string, string>;
  readonly #closureSizes = new Map<string, number>();

  /**
   * @param paths every store path of the set, references included
   * @param byPackage package name → the store path that holds it
   */
  constructor(paths: Iterable<StorePath>, byPackage: ReadonlyMap<string, string>) {
    this.#paths = new Map([...paths].map((p) => [p.path, p]));
    this.#byPackage = byPackage;
  }

  get size(): number {
    return this.#paths.size;
  }

  /** The store path of a package, or undefined when the set lacks it. */
  pathOf(name: string): string | undefined {
    return this.#byPackage.get(name);
  }

  /** Runtime closure of some store paths, sorted by path as Nix lists it. */
  closureOf(roots: readonly string[]): StorePath[] {
    const seen = new Set(roots.filter((path) => this.#paths.has(path)));
    const stack = [...seen];
    while (stack.length > 0) {
      for (const ref of this.#paths.get(stack.pop() as string)?.references ?? []) {
        if (!seen.has(ref) && this.#paths.has(ref)) {
          seen.add(ref);
          stack.push(ref);
        }
      }
    }
    return [...seen].sort().map((path) => this.#paths.get(path) as StorePath);
  }

  /** Size of a path's closure (`nix path-info -S`), remembered. */
  closureSize(path: string): number {
    let size = this.#closureSizes.get(path);
    if (size === undefined) {
      size = this.closureOf([path]).reduce((sum, p) => sum + p.narSize, 0);
      this.#closureSizes.set(path, size);
    }
    return size;
  }
}

/** A made-up store path for a name: a stable 32-character hash part. */
export function fakeStorePath(name: string): string {
  const alphabet = '0123456789abcdfghijklmnpqrsvwxyz';
  const digest = createHash('sha256').update(name).digest();
  let hash = '';
  for (let i = 0; i < 32; i++) hash += alphabet[(digest[i] as number) % 32];
  return `/nix/store/${hash}-${name}`;
}

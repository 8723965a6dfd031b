import { fileURLToPath } from 'node:url';

import { Nix } from '../../src/nix.ts';

const OFFLINE = fileURLToPath(new URL('../../../../nix/offline', import.meta.url));

/**
 * Builds the image of `packages` from the offline package set with the
 * builder's own Nix calls, and returns its runtime closure: sorted
 * absolute store paths, the image root among them.
 */
export async function imageClosure(packages: string[]): Promise<string[]> {
  const nix = new Nix(600);
  const root = await nix.build({ fetch: { kind: 'path' as const, path: OFFLINE }, packages, system: 'x86_64-linux' });
  return (await nix.closure(root)).map((entry) => entry.path).sort();
}

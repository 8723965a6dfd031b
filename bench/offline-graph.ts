import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { DEFAULT_PACKAGES } from '../nix/src/default-packages.ts';
import { packageName, storeName } from '../services/builder/src/popularity.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

import { PackageGraph } from './package-graph.ts';

const run = promisify(execFile);
const NIX_DIR = fileURLToPath(new URL('../nix', import.meta.url));

/**
 * The offline package set's real store paths: Nix builds (or finds) one
 * image of every default package and reports its closure with NAR sizes
 * and references. Each path is known by its Debian package names (every
 * member of a cycle).
 */
export async function loadOfflineGraph(): Promise<PackageGraph> {
  const nix = async (command: string, args: string[]) =>
    (await run(command, args, {
      env: { ...process.env, NIX_CONF_DIR: NIX_DIR },
      maxBuffer: 256 * 1024 * 1024,
    })).stdout;

  const root = (await nix('nix-build', [
    `${NIX_DIR}/image.nix`, '-A', 'image', '--no-out-link',
    '--argstr', 'source', `${NIX_DIR}/offline`,
    '--argstr', 'packages', JSON.stringify(DEFAULT_PACKAGES),
    '--argstr', 'system', 'x86_64-linux',
  ])).trim().split('\n').pop() as string;
  const info = JSON.parse(await nix('nix', ['path-info', '--recursive', '--json', root]));

  const paths = (info as StorePath[])
    .filter((p) => p.path !== root)
    .map(({ path, narSize, references }) => ({
      path,
      narSize,
      references: references.filter((ref) => ref !== path && ref !== root),
    }));
  const byPackage = new Map<string, string>();
  for (const { path } of paths) {
    for (const name of packageName(storeName(path)).split('+')) byPackage.set(name, path);
  }
  return new PackageGraph(paths, byPackage);
}

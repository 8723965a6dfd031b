import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { downloadedFileName } from './debian-package.ts';

import type { DebianPackage } from './debian-package.ts';

const run = promisify(execFile);

/** `apt-cache dumpavail` prints ~50 MB for bookworm's main archive. */
const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/**
 * apt's index of every available package: one stanza per package, for
 * the candidate version. Needs `apt-get update` to have run once.
 */
export async function dumpAvailable(): Promise<string> {
  const { stdout } = await run('apt-cache', ['dumpavail'], {
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  return stdout;
}

/**
 * Downloads into `folder` the .debs that are not there yet, each pinned
 * to the exact version the package set was planned with, and returns the
 * names of the packages it fetched. Files already present are trusted
 * here; Nix checks every file's hash when it imports it.
 */
export async function downloadDebs(
  folder: string,
  packages: readonly DebianPackage[],
): Promise<string[]> {
  const missing: DebianPackage[] = [];
  for (const pkg of packages) {
    if (!(await exists(join(folder, downloadedFileName(pkg))))) missing.push(pkg);
  }
  if (missing.length === 0) return [];

  const specs = missing.map((pkg) => `${pkg.name}=${pkg.version}`);
  await run('apt-get', ['download', '-q', ...specs], {
    cwd: folder,
    maxBuffer: MAX_OUTPUT_BYTES,
  });

  for (const pkg of missing) {
    const file = join(folder, downloadedFileName(pkg));
    if (!(await exists(file))) {
      throw new Error(`apt-get download did not produce ${file}`);
    }
  }
  return missing.map((pkg) => pkg.name);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

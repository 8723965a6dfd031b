import { fileURLToPath } from 'node:url';

import { DEFAULT_PACKAGES } from '../../src/default-packages.ts';
import { generatePackageSet } from '../../src/generate-package-set.ts';

import type { GenerateResult } from '../../src/generate-package-set.ts';

/** The package set the registry uses by default; its .debs are kept. */
export const OFFLINE = fileURLToPath(new URL('../../offline', import.meta.url));

let generation: Promise<GenerateResult> | undefined;

/**
 * Generates the default package set into nix/offline once per test run.
 * Re-running the generator there is cheap (it only downloads missing
 * .debs) and leaves the same default.nix, so other suites are unaffected.
 */
export function ensurePackageSet(): Promise<GenerateResult> {
  generation ??= generatePackageSet({ out: OFFLINE, names: DEFAULT_PACKAGES });
  return generation;
}

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import { TagNotFound } from './errors.ts';

/** Where the builder takes packages from. */
export type PackageSource = { kind: 'path'; path: string };

/** The tag that every source answers with its configured default. */
export const DEFAULT_TAG = 'latest';

/**
 * Parses `NIXPORT_PACKAGE_SOURCE`. A local path is a folder whose
 * `default.nix` is a package set function `{ system }: { … }`.
 */
export function parsePackageSource(spec: string): PackageSource {
  const [kind, ...rest] = spec.split(':');
  const value = rest.join(':');
  if (kind === 'path' && isAbsolute(value)) return { kind: 'path', path: value };
  throw new Error(
    `package source "${spec}" is not of the form path:/absolute/folder`,
  );
}

/** The source as it appears in build keys and logs. */
export function describeSource(source: PackageSource): string {
  return `${source.kind}:${source.path}`;
}

/**
 * Resolves a tag to the revision it names. A local path has one revision,
 * `latest`, identified by the hash of its `default.nix`, so regenerating
 * the package set changes the build key and the cached manifests age out.
 */
export async function resolveRevision(
  source: PackageSource,
  tag: string,
): Promise<string> {
  if (tag !== DEFAULT_TAG) {
    throw new TagNotFound(tag, `a local package set has only the tag "${DEFAULT_TAG}"`);
  }
  const expression = await readFile(join(source.path, 'default.nix'));
  return createHash('sha256').update(expression).digest('hex');
}

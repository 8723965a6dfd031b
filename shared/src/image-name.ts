import { InvalidName } from './errors.ts';

/** Target systems Nix can build for, as Nix spells them. */
export type System = 'x86_64-linux' | 'aarch64-linux';

/** What an image name asks for, before the package source is resolved. */
export interface ImageRequest {
  /** Package names as the user wrote them, sorted and de-duplicated. */
  packages: string[];
  system: System;
}

/**
 * Meta-packages that may lead an image name. `shell` stands for an
 * interactive shell with the usual tools; `arm64` switches the target.
 */
const SHELL_PACKAGES = ['bashInteractive', 'coreutils', 'moreutils', 'nano'];
const ARM64 = 'arm64';
const SHELL = 'shell';

// OCI distribution spec, "Pulling manifests": a path component, and the
// whole name's limit that the reference registry enforces.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 255;

/**
 * Turns a repository name such as `shell/htop/git` into a build request.
 * Leading meta-packages are expanded; order and duplicates of packages do
 * not matter, so `git/htop` and `htop/git` ask for the same image.
 */
export function parseImageName(name: string): ImageRequest {
  checkRepositoryName(name);
  const components = name.split('/');
  let system: System = 'x86_64-linux';
  const packages = new Set<string>();

  let index = 0;
  for (; index < components.length; index++) {
    const component = components[index]!;
    if (component === ARM64) system = 'aarch64-linux';
    else if (component === SHELL) SHELL_PACKAGES.forEach((p) => packages.add(p));
    else break;
  }

  for (const component of components.slice(index)) packages.add(component);
  return { packages: [...packages].sort(), system };
}

/** Throws `InvalidName` unless `name` fits the spec's repository grammar. */
export function checkRepositoryName(name: string): void {
  if (name.length === 0) throw new InvalidName(name, 'it is empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidName(name, `it is longer than ${MAX_NAME_LENGTH} characters`);
  }
  for (const component of name.split('/')) {
    if (!COMPONENT.test(component)) {
      throw new InvalidName(
        name,
        `"${component}" is not a valid path component ` +
          '(lower-case letters, digits and single separators . _ __ -)',
      );
    }
  }
}

/** The spec's tag grammar. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** True when `reference` is a tag rather than a digest. */
export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

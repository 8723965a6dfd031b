import { createHash } from 'node:crypto';

import type { System } from './image-name.ts';

/** A build request with its package source resolved to one revision. */
export interface BuildRequest {
  packages: string[];
  system: System;
  /** Where packages come from, e.g. `path:/srv/nix/offline`. */
  source: string;
  /** What the source resolved to for this tag (a commit, a content hash). */
  revision: string;
}

/**
 * The identity of a build: a hash of its canonical request. Two requests
 * with the same packages (in any order), system and revision share a key,
 * so concurrent pulls of one image join one build.
 */
export function buildKey(request: BuildRequest): string {
  const canonical = JSON.stringify({
    packages: [...new Set(request.packages)].sort(),
    system: request.system,
    source: request.source,
    revision: request.revision,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

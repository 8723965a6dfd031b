import type { BuildRequest } from './build-key.ts';
import type { Digest } from './digest.ts';
import type { SourceFetch } from './package-source.ts';

/** The BullMQ queue that carries builds from the gateway to builders. */
export const BUILD_QUEUE = 'builds';

/** What the gateway puts on the queue. */
export interface BuildJobData {
  buildKey: string;
  /** The repository name as pulled, for logs only. */
  image: string;
  request: BuildRequest;
  /** What Nix fetches for the request's revision. */
  fetch: SourceFetch;
  /**
   * How long the build key's manifest stays cached; absent for an exact
   * revision (a git commit), whose image never changes.
   */
  cacheSeconds?: number;
}

/** A stored blob as a manifest or index points at it. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
}

/** The manifests of one built image, one per wire format. */
export interface BuiltImage {
  oci: Descriptor;
  docker: Descriptor;
}

/**
 * What a finished build job returns. Packages the set lacks or refuses
 * are expected outcomes, so they are results rather than job failures.
 */
export type BuildResult =
  | { kind: 'built'; image: BuiltImage }
  | {
      kind: 'unknown-packages';
      packages: string[];
      /** Close matches in the package set, per unknown name. */
      suggestions?: Record<string, string[]>;
    }
  | { kind: 'refused'; refusals: { name: string; reason: string }[] }
  | { kind: 'unknown-revision'; reason: string };

/**
 * The BullMQ job id of a build. Ids must not be integers nor contain `:`,
 * so the hex key gets a prefix.
 */
export function buildJobId(buildKey: string): string {
  return `build-${buildKey}`;
}

/**
 * What a build reports through BullMQ's job progress, in order:
 * `evaluating`, `realising`, `packing` (layer `layer` of `of`),
 * `uploading`.
 */
export interface BuildProgress {
  phase: string;
  layer?: number;
  of?: number;
}

/** A progress report in words, e.g. `packing layer 3 of 12`. */
export function describeProgress(progress: BuildProgress): string {
  if (progress.phase === 'packing' && progress.layer !== undefined) {
    return `packing layer ${progress.layer} of ${progress.of}`;
  }
  return progress.phase;
}

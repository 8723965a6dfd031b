import type { BuildRequest } from './build-key.ts';
import type { Digest } from './digest.ts';

/** The BullMQ queue that carries builds from the gateway to builders. */
export const BUILD_QUEUE = 'builds';

/** What the gateway puts on the queue. */
export interface BuildJobData {
  buildKey: string;
  /** The repository name as pulled, for logs only. */
  image: string;
  request: BuildRequest;
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
  | { kind: 'unknown-packages'; packages: string[] }
  | { kind: 'refused'; refusals: { name: string; reason: string }[] };

/**
 * The BullMQ job id of a build. Ids must not be integers nor contain `:`,
 * so the hex key gets a prefix.
 */
export function buildJobId(buildKey: string): string {
  return `build-${buildKey}`;
}

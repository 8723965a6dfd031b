import { MEDIA_TYPES, type BuiltImage, type Descriptor } from '@nixport/shared';

import { negotiate } from './accept.ts';
import { INDEX_TYPES, type PlatformImage } from './image-index.ts';

const OCI_MANIFEST: string = MEDIA_TYPES.oci.manifest;
const DOCKER_MANIFEST: string = MEDIA_TYPES.docker.manifest;

/** Every manifest media type the gateway serves, single or multi-platform. */
export const MANIFEST_TYPES: readonly string[] = [
  INDEX_TYPES.oci,
  INDEX_TYPES.docker,
  OCI_MANIFEST,
  DOCKER_MANIFEST,
];

/** Manifests larger than this are not manifests Nixport wrote. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Chooses which of an image's manifests answers a request: the OCI one
 * unless the client's `Accept` prefers Docker's schema 2 (a Docker-only
 * client). See `negotiate` for how `Accept` is read.
 */
export function chooseManifest(image: BuiltImage, accept: string[] | undefined): Descriptor {
  const type = negotiate(accept, [OCI_MANIFEST, DOCKER_MANIFEST]);
  return type === DOCKER_MANIFEST ? image.docker : image.oci;
}

/** What answers a pull of a multi-platform image. */
export type IndexChoice =
  | { kind: 'index'; format: keyof typeof INDEX_TYPES }
  | { kind: 'manifest'; descriptor: Descriptor };

/**
 * Chooses between the index of a multi-platform image and one platform's
 * manifest. A client that accepts an OCI index or a Docker manifest list
 * gets it and picks its platform from it; a client that accepts only
 * single manifests gets the first platform's, as the reference registry
 * falls back to its default platform for such clients.
 */
export function chooseIndex(entries: PlatformImage[], accept: string[] | undefined): IndexChoice {
  const type = negotiate(accept, MANIFEST_TYPES);
  if (type === INDEX_TYPES.oci) return { kind: 'index', format: 'oci' };
  if (type === INDEX_TYPES.docker) return { kind: 'index', format: 'docker' };
  return { kind: 'manifest', descriptor: chooseManifest(entries[0]!.image, [type]) };
}

/** The media type a stored manifest declares, if it is one we serve. */
export function manifestMediaType(bytes: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    const type = parsed.mediaType;
    if (typeof type === 'string' && MANIFEST_TYPES.includes(type)) return type;
  } catch {
    // Not JSON: a layer or some other blob.
  }
  return undefined;
}

import { MEDIA_TYPES, type BuiltImage, type Descriptor } from '@nixport/shared';

const OCI_MANIFEST: string = MEDIA_TYPES.oci.manifest;
const DOCKER_MANIFEST: string = MEDIA_TYPES.docker.manifest;

/** Manifests larger than this are not manifests Nixport wrote. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Chooses which of an image's manifests answers a request. Clients list
 * what they accept, in one header or several; a client that names only
 * Docker's schema 2 gets it, every other client gets the OCI manifest.
 */
export function chooseManifest(image: BuiltImage, accept: string[]): Descriptor {
  const types = new Set(
    accept
      .flatMap((header) => header.split(','))
      .map((type) => type.split(';')[0]!.trim().toLowerCase()),
  );
  if (types.has(DOCKER_MANIFEST) && !types.has(OCI_MANIFEST)) return image.docker;
  return image.oci;
}

/** The media type a stored manifest declares, if it is one we serve. */
export function manifestMediaType(bytes: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    const type = parsed.mediaType;
    if (type === OCI_MANIFEST || type === DOCKER_MANIFEST) return type;
  } catch {
    // Not JSON: a layer or some other blob.
  }
  return undefined;
}

import {
  sha256Digest,
  type BuiltImage,
  type Descriptor,
  type System,
} from '@nixport/shared';

/** Media types of the multi-platform documents the gateway writes. */
export const INDEX_TYPES = {
  oci: 'application/vnd.oci.image.index.v1+json',
  docker: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** An image built for one platform. */
export interface PlatformImage {
  system: System;
  image: BuiltImage;
}

/** OCI platform objects (image-spec "Image Index", `platform`). */
const PLATFORMS: Record<System, { architecture: string; os: string; variant?: string }> = {
  'x86_64-linux': { architecture: 'amd64', os: 'linux' },
  'aarch64-linux': { architecture: 'arm64', os: 'linux', variant: 'v8' },
};

/**
 * Writes the index of one image's platforms: an OCI image index over the
 * OCI manifests, or a Docker manifest list over the Docker ones. Same
 * entries give the same bytes, so every pull of a tag sees one digest.
 */
export function writeIndex(
  entries: PlatformImage[],
  format: keyof typeof INDEX_TYPES,
): { descriptor: Descriptor; bytes: Buffer } {
  const mediaType = INDEX_TYPES[format];
  const document = {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map(({ system, image }) => ({
      mediaType: image[format].mediaType,
      digest: image[format].digest,
      size: image[format].size,
      platform: PLATFORMS[system],
    })),
  };
  const bytes = Buffer.from(JSON.stringify(document));
  return { descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length }, bytes };
}

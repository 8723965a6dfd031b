/**
 * Media types of what Nixport writes. Each image has an OCI manifest and
 * a Docker schema 2 manifest over the same config and layer bytes; only
 * the declared types differ.
 */
export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

/** The two manifest formats Nixport serves. */
export type ManifestFormat = keyof typeof MEDIA_TYPES;

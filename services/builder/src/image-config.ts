import {
  MEDIA_TYPES,
  sha256Digest,
  type Descriptor,
  type Digest,
  type ManifestFormat,
  type System,
} from '@nixport/shared';

/** What the config says about the image's root, found by the builder. */
export interface RootFacts {
  hasBash: boolean;
  hasCaBundle: boolean;
}

/** A layer as the config and manifests list it, bottom first. */
export interface ManifestLayer {
  digest: Digest;
  diffId: Digest;
  size: number;
}

const ARCHITECTURES: Record<System, string> = {
  'x86_64-linux': 'amd64',
  'aarch64-linux': 'arm64',
};

// Search order of a Debian root; the offline set installs into these.
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Nix's epoch: every image says it was made then, so configs reproduce. */
const CREATED = '1970-01-01T00:00:01Z';

/**
 * The image config (OCI image spec, "Image Configuration"). `Env` is
 * always a list: runtimes such as Kubernetes' reject a null one.
 */
export function imageConfig(system: System, layers: ManifestLayer[], root: RootFacts): Buffer {
  const env = [`PATH=${PATH}`];
  if (root.hasCaBundle) env.push(`SSL_CERT_FILE=${CA_BUNDLE}`);
  const config: Record<string, unknown> = { Env: env };
  if (root.hasBash) config.Cmd = ['bash'];

  return Buffer.from(
    JSON.stringify({
      created: CREATED,
      architecture: ARCHITECTURES[system],
      os: 'linux',
      config,
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map(() => ({ created: CREATED, created_by: 'nixport' })),
    }),
  );
}

/** One manifest over the config and layers, in the given format. */
export function imageManifest(
  format: ManifestFormat,
  config: Buffer,
  layers: ManifestLayer[],
): { bytes: Buffer; descriptor: Descriptor } {
  const types = MEDIA_TYPES[format];
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, digest: sha256Digest(config), size: config.length },
      layers: layers.map((layer) => ({
        mediaType: types.layer,
        digest: layer.digest,
        size: layer.size,
      })),
    }),
  );
  const descriptor = { mediaType: types.manifest, digest: sha256Digest(bytes), size: bytes.length };
  return { bytes, descriptor };
}

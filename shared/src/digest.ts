import { createHash } from 'node:crypto';

/** A content address as the OCI image spec writes it: `sha256:<64 hex>`. */
export type Digest = `sha256:${string}`;

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * True for the only digest form Nixport stores. Other algorithms are valid
 * in the spec's grammar but cannot name anything here.
 */
export function isDigest(value: string): value is Digest {
  return SHA256_DIGEST.test(value);
}

/** The spec's general digest grammar (OCI image spec, "Digests"). */
export function looksLikeDigest(value: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value);
}

/** The hex part of a sha256 digest, used as the storage key. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** Digest of bytes held in memory (configs and manifests). */
export function sha256Digest(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

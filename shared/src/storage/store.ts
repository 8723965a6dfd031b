import type { Readable } from 'node:stream';

import type { Digest } from '../digest.ts';

/** An upload that has been written in full but is not yet readable. */
export interface Staged {
  readonly key: string;
  readonly size: number;
}

/** An inclusive byte range within a blob. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed blob storage. Blobs live under `blobs/sha256/<hex>`;
 * uploads go to `staging/<uuid>` first and become visible only through
 * `commit`, so a reader never sees a partial blob.
 */
export interface BlobStore {
  /** Writes a whole stream to a fresh staging key. */
  stage(body: Readable): Promise<Staged>;
  /** Makes a staged upload readable under its digest. */
  commit(staged: Staged, digest: Digest): Promise<void>;
  /** Drops a staged upload that will not be committed. */
  discard(staged: Staged): Promise<void>;
  /** Stores small bytes (configs, manifests) under their digest. */
  putBlob(digest: Digest, data: Buffer): Promise<void>;
  /** The blob's size, or undefined when it is not stored. */
  size(digest: Digest): Promise<number | undefined>;
  /** Reads a blob, or part of it; throws `BlobNotFound`. */
  read(digest: Digest, range?: ByteRange): Promise<Readable>;
  /** Reads a whole small blob into memory; throws `BlobNotFound`. */
  readAll(digest: Digest): Promise<Buffer>;
  /** Throws unless the store can be read and written right now. */
  check(): Promise<void>;
}

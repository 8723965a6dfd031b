import type { FileHandle } from 'node:fs/promises';
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

/** An object as a listing shows it, for garbage collection. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** When it was written; an upload in progress counts from its start. */
  readonly modified: Date;
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
  /** Drops a staged upload that will not be committed, or an abandoned one. */
  discard(staged: Pick<Staged, 'key'>): Promise<void>;
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
  /** Every committed blob. */
  listBlobs(): AsyncIterable<StoredObject & { digest: Digest }>;
  /** Every staging key still present: uploads in flight or abandoned. */
  listStaging(): AsyncIterable<StoredObject>;
  /** Deletes a committed blob; a missing one is not an error. */
  remove(digest: Digest): Promise<void>;
  /**
   * A URL that lets anyone holding it GET the blob for `seconds`, signed
   * for the address clients use. Only stores clients can reach have it.
   */
  presignGet?(digest: Digest, seconds: number): Promise<string>;
  /**
   * The blob's file, opened for reading, for stores that keep blobs as
   * files; the caller closes it. Throws `BlobNotFound`.
   */
  openFile?(digest: Digest): Promise<FileHandle>;
}

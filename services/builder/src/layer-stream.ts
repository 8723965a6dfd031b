import { Readable } from 'node:stream';

import type { Digest } from '@nixport/shared';

import { DigestTap } from './hashing.ts';
import { gzipChunks } from './parallel-gzip.ts';
import { tarBlocks, type TreeSource } from './tarball.ts';

/**
 * Where the tarball is cut into independently compressed chunks. Part of
 * the layer format: changing it changes every layer digest (not the diff
 * ids), so it is a constant and not a setting. 256 KiB keeps the thread
 * pool's per-job cost small and the end of a layer short.
 */
export const CHUNK_SIZE = 256 * 1024;

/** A layer's identity, known once its body has been read to the end. */
export interface LayerDigests {
  /** sha256 of the uncompressed tarball: the config's `rootfs.diff_ids`. */
  diffId: Digest;
  /** Bytes of the uncompressed tarball. */
  diffSize: number;
  /** sha256 of the gzip stream: the manifest's layer digest. */
  digest: Digest;
  /** Bytes of the gzip stream. */
  size: number;
}

/** A layer's bytes in flight, and its digests once they have all gone. */
export interface LayerStream {
  /** The gzip-compressed tarball; read it to its end exactly once. */
  body: Readable;
  /** Throws until `body` has ended. */
  digests(): LayerDigests;
}

/**
 * Packs trees into a reproducible gzip tarball in one pass: the tar is
 * hashed for the diff id as it is cut into chunks, the chunks are
 * compressed on every core, and the gzip stream is hashed for the digest
 * as it leaves. Nothing is buffered beyond the chunks in flight.
 */
export function streamLayer(
  trees: TreeSource[],
  parents: string[],
  level: number,
): LayerStream {
  const tar = new DigestTap();
  const gzip = new DigestTap();
  let ended = false;

  async function* layer(): AsyncGenerator<Buffer> {
    const blocks = tar.tap(tarBlocks(trees, parents, CHUNK_SIZE));
    yield* gzip.tap(gzipChunks(blocks, level));
    ended = true;
  }

  return {
    body: Readable.from(layer(), { objectMode: false }),
    digests() {
      if (!ended) throw new Error('layer digests read before the layer ended');
      return {
        diffId: tar.digest(),
        diffSize: tar.size,
        digest: gzip.digest(),
        size: gzip.size,
      };
    },
  };
}

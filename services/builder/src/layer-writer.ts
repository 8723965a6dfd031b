import { createHash } from 'node:crypto';

import type { BlobStore, Caches, LayerRecord, RedisLocks } from '@nixport/shared';

import { streamLayer } from './layer-stream.ts';
import type { TreeSource } from './tarball.ts';

/** What a layer holds: store paths, or the image root's symlink farm. */
export type LayerContent =
  | { kind: 'store-paths'; paths: string[] }
  | { kind: 'root'; path: string };

/** A layer ready for the manifest, and whether this build packed it. */
export interface WrittenLayer extends LayerRecord {
  packed: boolean;
}

/**
 * Packs layers and uploads them once. A layer's identity is what it
 * holds; the layer cache maps that identity to the digest, so a layer
 * shared by many images is packed by the first build that needs it.
 */
export class LayerWriter {
  readonly #store: BlobStore;
  readonly #caches: Caches;
  readonly #gzipLevel: number;
  readonly #locks: RedisLocks | undefined;

  /**
   * With `locks`, builders sharing a Redis pack a layer once between
   * them: one packs and uploads while the others wait and reuse it.
   */
  constructor(store: BlobStore, caches: Caches, gzipLevel: number, locks?: RedisLocks) {
    this.#store = store;
    this.#caches = caches;
    this.#gzipLevel = gzipLevel;
    this.#locks = locks;
  }

  async write(content: LayerContent): Promise<WrittenLayer> {
    const key = layerKey(content);
    const cached = await this.#cached(key);
    if (cached) return cached;
    const packOnce = async () => {
      // The previous holder of the lock may have packed it meanwhile.
      const packed = await this.#cached(key);
      if (packed) return packed;
      const record = await this.#pack(content);
      await this.#caches.putLayer(key, record);
      return { ...record, packed: true };
    };
    return this.#locks ? this.#locks.hold(`layer:${key}`, packOnce) : packOnce();
  }

  async #cached(key: string): Promise<WrittenLayer | undefined> {
    const cached = await this.#caches.getLayer(key);
    if (cached && (await this.#store.size(cached.digest)) === cached.size) {
      return { ...cached, packed: false };
    }
    return undefined;
  }

  /**
   * Packs in one pass (tar → hash (diff id) → gzip on every core → hash
   * (digest)) into a staging key, committed under the digest only once
   * it is complete.
   */
  async #pack(content: LayerContent): Promise<LayerRecord> {
    const layer = streamLayer(...treesOf(content), this.#gzipLevel);
    const staged = await this.#store.stage(layer.body);
    const { digest, diffId, size } = layer.digests();
    try {
      await this.#store.commit(staged, digest);
    } catch (error) {
      await this.#store.discard(staged);
      throw error;
    }
    return { digest, diffId, size };
  }
}

function treesOf(content: LayerContent): [TreeSource[], string[]] {
  if (content.kind === 'root') return [[{ from: content.path, to: '' }], []];
  const trees = content.paths.map((path) => ({ from: path, to: path.slice(1) }));
  return [trees, ['nix', 'nix/store']];
}

/** The layer cache key: a hash of the sorted paths the layer holds. */
export function layerKey(content: LayerContent): string {
  const paths = content.kind === 'root' ? [`root:${content.path}`] : [...content.paths].sort();
  return createHash('sha256').update(paths.join('\n')).digest('hex');
}

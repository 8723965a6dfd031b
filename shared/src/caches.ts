import type { Redis } from 'ioredis';

import type { Digest } from './digest.ts';
import type { BuiltImage } from './queue.ts';

/** A packed layer as the layer cache remembers it. */
export interface LayerRecord {
  digest: Digest;
  diffId: Digest;
  size: number;
}

/** How long an image built from a derivation stays cached after its last use. */
const BUILT_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Redis-held caches. Everything here can be rebuilt: losing it costs
 * builds, never data. Two caches hold manifests:
 *
 * - by build key (the request: packages, system, source revision), which
 *   answers a pull without any work; forever for an exact revision (a git
 *   commit), for a while otherwise;
 * - by what was built (the image root's derivation), which a new
 *   evaluation of a mutable source (a moved branch, a changed path) finds
 *   when the image it gives did not change.
 */
export class Caches {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The image a build key gave, while its cache entry lives. */
  async getManifest(buildKey: string): Promise<BuiltImage | undefined> {
    const raw = await this.#redis.get(`${this.#prefix}:manifest:${buildKey}`);
    return raw ? (JSON.parse(raw) as BuiltImage) : undefined;
  }

  /** Remembers a build key's image; for `seconds` when given, else forever. */
  async putManifest(buildKey: string, image: BuiltImage, seconds?: number): Promise<void> {
    const key = `${this.#prefix}:manifest:${buildKey}`;
    if (seconds === undefined) await this.#redis.set(key, JSON.stringify(image));
    else await this.#redis.set(key, JSON.stringify(image), 'EX', seconds);
  }

  /** The image built from a derivation; using it extends its life. */
  async getBuilt(derivation: string): Promise<BuiltImage | undefined> {
    const key = `${this.#prefix}:built:${derivation}`;
    const raw = await this.#redis.getex(key, 'EX', BUILT_TTL_SECONDS);
    return raw ? (JSON.parse(raw) as BuiltImage) : undefined;
  }

  /** Remembers the image a derivation gave, for a month past its last use. */
  async putBuilt(derivation: string, image: BuiltImage): Promise<void> {
    const key = `${this.#prefix}:built:${derivation}`;
    await this.#redis.set(key, JSON.stringify(image), 'EX', BUILT_TTL_SECONDS);
  }

  /** Every cached image, in no order; for garbage collection. */
  async *manifests(): AsyncIterable<BuiltImage> {
    const match = `${this.#prefix}:manifest:*`;
    for await (const keys of this.#redis.scanStream({ match, count: 500 })) {
      if ((keys as string[]).length === 0) continue;
      for (const raw of await this.#redis.mget(...(keys as string[]))) {
        if (raw) yield JSON.parse(raw) as BuiltImage;
      }
    }
  }

  async getLayer(layerKey: string): Promise<LayerRecord | undefined> {
    const raw = await this.#redis.get(`${this.#prefix}:layer:${layerKey}`);
    return raw ? (JSON.parse(raw) as LayerRecord) : undefined;
  }

  async putLayer(layerKey: string, layer: LayerRecord): Promise<void> {
    await this.#redis.set(`${this.#prefix}:layer:${layerKey}`, JSON.stringify(layer));
  }
}

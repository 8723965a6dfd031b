import type { Redis } from 'ioredis';

import type { Digest } from './digest.ts';
import type { BuiltImage } from './queue.ts';

/** A packed layer as the layer cache remembers it. */
export interface LayerRecord {
  digest: Digest;
  diffId: Digest;
  size: number;
}

/** How long a manifest built from a mutable revision stays cached. */
const MANIFEST_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Redis-held caches. Everything here can be rebuilt: losing it costs
 * builds, never data.
 */
export class Caches {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async getManifest(buildKey: string): Promise<BuiltImage | undefined> {
    const raw = await this.#redis.get(`${this.#prefix}:manifest:${buildKey}`);
    return raw ? (JSON.parse(raw) as BuiltImage) : undefined;
  }

  async putManifest(buildKey: string, image: BuiltImage): Promise<void> {
    const key = `${this.#prefix}:manifest:${buildKey}`;
    await this.#redis.set(key, JSON.stringify(image), 'EX', MANIFEST_TTL_SECONDS);
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

import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

/** How many paths one Redis pipeline asks about at once. */
const BATCH = 500;
/** Manifests kept per first layer, newest first. */
const ORDERS_KEPT = 20;

/** What earlier builds packed, as `groupLayers` reads it. */
export interface PackedHistory {
  /** Groups packed as layers, each a sorted list of store paths. */
  packed: string[][];
  /** Earlier manifests' store-path layers in order, newest first. */
  previous: string[][][];
}

/**
 * Which store-path groups the registry has packed as layers and in what
 * order earlier manifests listed them, shared by every builder through
 * Redis. Each group is kept under its own key and indexed by each of its
 * paths; each layer order under its first group. Like the caches, all of
 * it can be lost: a build then groups without it.
 */
export class PackedGroups {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Every recorded group holding one of `paths`, and their orders. */
  async lookup(paths: readonly string[]): Promise<PackedHistory> {
    const ids = new Set<string>();
    for (let i = 0; i < paths.length; i += BATCH) {
      const batch = paths.slice(i, i + BATCH).map((path) => this.#pathKey(path));
      for (const members of await this.#each(batch, (p, key) => p.smembers(key))) {
        for (const id of members as string[]) ids.add(id);
      }
    }
    if (ids.size === 0) return { packed: [], previous: [] };

    const keys = [...ids];
    const raw = await this.#redis.mget(keys.map((id) => this.#groupKey(id)));
    const groups = new Map<string, string[]>();
    raw.forEach((json, i) => json && groups.set(keys[i]!, JSON.parse(json) as string[]));

    const lists = await this.#each(keys.map((id) => this.#orderKey(id)), (p, key) =>
      p.lrange(key, 0, -1),
    );
    const previous = (lists as string[][]).flat().map((json) => {
      const order = JSON.parse(json) as string[];
      const known = order.findIndex((id) => !groups.has(id));
      return order.slice(0, known === -1 ? order.length : known).map((id) => groups.get(id)!);
    });
    return { packed: [...groups.values()], previous };
  }

  /**
   * Remembers the layers of a built image, in manifest order.
   *
   * TODO(layering): the per-path sets only grow, so a path found in many
   * merged layers makes lookups slower over time — expire groups whose
   * layer left the layer cache, or keep the newest few per path.
   */
  async record(layers: readonly (readonly string[])[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    const ids = layers.map((group) => {
      const paths = [...group].sort();
      const id = hash(paths.join('\n'));
      pipeline.set(this.#groupKey(id), JSON.stringify(paths));
      for (const path of paths) pipeline.sadd(this.#pathKey(path), id);
      return id;
    });
    if (ids[0]) {
      pipeline.lrem(this.#orderKey(ids[0]), 0, JSON.stringify(ids));
      pipeline.lpush(this.#orderKey(ids[0]), JSON.stringify(ids));
      pipeline.ltrim(this.#orderKey(ids[0]), 0, ORDERS_KEPT - 1);
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  async #each(
    keys: readonly string[],
    add: (pipeline: ReturnType<Redis['pipeline']>, key: string) => unknown,
  ): Promise<unknown[]> {
    const pipeline = this.#redis.pipeline();
    for (const key of keys) add(pipeline, key);
    return ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  #groupKey(id: string): string {
    return `${this.#prefix}:packed-group:${id}`;
  }

  #pathKey(path: string): string {
    return `${this.#prefix}:packed-groups-of:${hash(path)}`;
  }

  #orderKey(firstId: string): string {
    return `${this.#prefix}:packed-order:${firstId}`;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

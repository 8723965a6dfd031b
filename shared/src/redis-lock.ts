import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';

/** How long a lock outlives a holder that died without releasing it. */
const LEASE_MS = 30_000;
/** How often a holder extends its lease, well within the lease. */
const RENEW_MS = 10_000;
/** How often a waiter asks again; capped so a short hold is not overslept. */
const POLL_MS = 100;

// Deletes or extends the lock only while this holder still owns it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1]
  then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1]
  then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Mutual exclusion across every builder sharing one Redis, for work that
 * must happen once (packing a layer, realising a derivation). A lock is a
 * key set with NX and a lease the holder renews, so a crashed holder
 * frees it after `LEASE_MS`.
 */
export class RedisLocks {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /**
   * Runs `work` while holding the lock `name`, waiting for it first.
   * Callers re-check what `work` would produce once they hold the lock:
   * the previous holder may have produced it.
   */
  async hold<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.#prefix}:lock:${name}`;
    const token = randomUUID();
    while ((await this.#redis.set(key, token, 'PX', LEASE_MS, 'NX')) !== 'OK') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const renew = setInterval(() => {
      this.#redis.eval(RENEW, 1, key, token, LEASE_MS).catch(() => undefined);
    }, RENEW_MS);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.#redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}

import type { Redis } from 'ioredis';

/** Lines a build log keeps: the newest ones, where the failure is. */
const MAX_LINES = 1000;
/** Characters one line keeps. */
const MAX_LINE_CHARS = 1000;
/** How long a build's log outlives its last line. */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * The per-build log the status page shows: phases, Nix's output and the
 * outcome of every attempt, bounded in lines and in time. Held in Redis
 * so any gateway can show what any builder wrote.
 */
export class BuildLog {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Appends lines, each stamped with the time, and drops the oldest. */
  async append(buildKey: string, ...lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const key = this.#key(buildKey);
    const now = new Date().toISOString();
    const stamped = lines.map((line) => `${now} ${line.slice(0, MAX_LINE_CHARS)}`);
    await this.#redis
      .multi()
      .rpush(key, ...stamped)
      .ltrim(key, -MAX_LINES, -1)
      .expire(key, TTL_SECONDS)
      .exec();
  }

  /** The kept lines, oldest first; empty when the build left none. */
  read(buildKey: string): Promise<string[]> {
    return this.#redis.lrange(this.#key(buildKey), 0, -1);
  }

  #key(buildKey: string): string {
    return `${this.#prefix}:build-log:${buildKey}`;
  }
}

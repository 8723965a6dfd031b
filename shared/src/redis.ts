import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ and the caches.
 *
 * A blocking connection (a Worker's, QueueEvents', a command-line tool's)
 * waits out an outage: BullMQ requires `maxRetriesPerRequest: null` there.
 * A request-serving connection must fail fast instead, so a pull gets a
 * 503 rather than hanging: with no offline queue a command sent while
 * Redis is down fails at once, and with one retry a command that was in
 * flight when Redis died fails on the first reconnect attempt.
 */
export function connectRedis(url: string, options: { blocking?: boolean } = {}): Redis {
  const blocking = options.blocking ?? false;
  return new Redis(url, {
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    lazyConnect: false,
  });
}

import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ and the caches.
 *
 * A blocking connection (a Worker's, QueueEvents', a command-line tool's)
 * waits out an outage: BullMQ requires `maxRetriesPerRequest: null` there.
 * A request-serving connection must fail fast instead, so a pull gets a
 * 503 rather than hanging: with no offline queue a command sent while
 * Redis is down fails at once, with one retry a command that was in
 * flight when Redis died fails on the first reconnect attempt, and a
 * Redis that accepts connections but does not answer times out.
 */
export function connectRedis(url: string, options: { blocking?: boolean } = {}): Redis {
  const blocking = options.blocking ?? false;
  return new Redis(url, {
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: blocking,
    commandTimeout: blocking ? undefined : COMMAND_TIMEOUT_MS,
    lazyConnect: false,
  });
}

/** Longest a request waits on one Redis command before it answers 503. */
const COMMAND_TIMEOUT_MS = 5000;

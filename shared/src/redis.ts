import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ and the caches. BullMQ needs
 * `maxRetriesPerRequest: null`; `enableOfflineQueue: false` makes a call
 * fail at once while Redis is down, so requests get a 503 instead of
 * hanging.
 */
export function connectRedis(url: string, options: { blocking?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: options.blocking ?? false,
    lazyConnect: false,
  });
}

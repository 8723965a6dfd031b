import { Queue, QueueEvents } from 'bullmq';

import {
  BUILD_QUEUE,
  BuildLog,
  Caches,
  connectRedis,
  createLogger,
  createMetrics,
  DependencyUnavailable,
  loadConfig,
  openStore,
  runService,
  type BuildJobData,
  type BuildResult,
} from '@nixport/shared';

import { createApp } from './app.ts';
import { BuildCoordinator } from './builds.ts';

runService('gateway', async () => {
  const config = loadConfig(process.env, 8080);
  const logger = createLogger('gateway', config.logLevel);
  const redis = connectRedis(config.redisUrl);
  // ioredis reconnects by itself; readiness and 503s report the outage.
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const store = await openStore(config);

  const queue = new Queue<BuildJobData, BuildResult>(BUILD_QUEUE, {
    connection: redis,
    prefix: config.prefix,
  });
  const eventsRedis = connectRedis(config.redisUrl, { blocking: true });
  eventsRedis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const events = new QueueEvents(BUILD_QUEUE, {
    connection: eventsRedis,
    prefix: config.prefix,
  });
  // One QueueEvents serves every waiting request.
  events.setMaxListeners(0);
  queue.on('error', (err) => logger.warn({ err }, 'queue error'));
  events.on('error', (err) => logger.warn({ err }, 'queue events error'));

  const builds = new BuildCoordinator({
    queue,
    events,
    caches: new Caches(redis, config.prefix),
    log: new BuildLog(redis, config.prefix),
    timeoutSeconds: config.buildTimeoutSeconds,
  });
  const ready = async () => {
    try {
      await redis.ping();
      await store.check();
    } catch (cause) {
      throw new DependencyUnavailable('redis or the blob store', { cause });
    }
  };
  const metrics = createMetrics('gateway');
  const app = createApp({ config, store, builds, logger, metrics, ready });

  const server = app.listen(config.port, () => {
    logger.info({ port: config.port }, 'gateway listening');
  });
  // Manifest requests may wait for a whole build.
  server.requestTimeout = 0;

  return async () => {
    server.close();
    await Promise.allSettled([events.close(), queue.close()]);
    redis.disconnect();
    eventsRedis.disconnect();
  };
});

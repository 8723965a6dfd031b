import { createServer } from 'node:http';

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Counter, Histogram } from 'prom-client';

import {
  BUILD_QUEUE,
  BuildFailed,
  BuildLog,
  Caches,
  connectRedis,
  createLogger,
  createMetrics,
  describeProgress,
  LOG_FIELDS,
  loadConfig,
  openStore,
  RedisLocks,
  runService,
  type BuildJobData,
  type BuildResult,
} from '@nixport/shared';

import { buildImage } from './build-image.ts';
import { LayerWriter } from './layer-writer.ts';
import { Nix } from './nix.ts';
import { PackedGroups } from './packed-groups.ts';
import { choosePopularity } from './popularity-source.ts';

runService('builder', async () => {
  const config = loadConfig(process.env, 8082);
  const logger = createLogger('builder', config.logLevel);
  const redis = connectRedis(config.redisUrl, { blocking: true });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const store = await openStore(config);
  const caches = new Caches(redis, config.prefix);
  const packedGroups = new PackedGroups(redis, config.prefix);
  const { popularity, from } = await choosePopularity(
    config.popularity,
    config.packageSource.kind === 'path' ? config.packageSource.path : undefined,
  );
  logger.info({ from: from ?? 'none', packages: popularity?.size ?? 0 }, 'popularity loaded');
  const locks = new RedisLocks(redis, config.prefix);
  const buildLog = new BuildLog(redis, config.prefix);
  const layers = new LayerWriter(store, caches, config.gzipLevel, locks);

  const metrics = createMetrics('builder');
  const registers = [metrics.registry];
  const builds = new Counter({
    name: 'nixport_builds_total',
    help: 'Finished build attempts by outcome',
    labelNames: ['outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'nixport_build_duration_seconds',
    help: 'Time from a build attempt starting to its end, by outcome',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 900, 1800],
    registers,
  });
  const layerCount = new Counter({
    name: 'nixport_layers_total',
    help: 'Layers a build needed, packed now or reused from the layer cache',
    labelNames: ['result'],
    registers,
  });
  const packedBytes = new Counter({
    name: 'nixport_layer_bytes_packed_total',
    help: 'Compressed bytes of layers packed and uploaded',
    registers,
  });

  const processBuild = async (job: Job<BuildJobData, BuildResult>) => {
    const log = logger.child({
      [LOG_FIELDS.jobId]: job.id,
      [LOG_FIELDS.buildKey]: job.data.buildKey,
      [LOG_FIELDS.image]: job.data.image,
      [LOG_FIELDS.attempt]: job.attemptsMade + 1,
    });
    const started = process.hrtime.bigint();
    const finish = (outcome: string) => {
      builds.inc({ outcome });
      duration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    // The status page's log; losing a line must not fail the build.
    const note = (line: string) =>
      buildLog.append(job.data.buildKey, line).catch((err: unknown) => {
        log.warn({ err }, 'build log write failed');
      });
    const attempts = job.opts.attempts ?? 1;
    log.info('build started');
    await note(`attempt ${job.attemptsMade + 1} of ${attempts} started`);
    try {
      const result = await buildImage(
        {
          nix: new Nix(config.nixTimeoutSeconds, (line) => void note(line)),
          layers,
          store,
          caches,
          locks,
          maxLayers: config.maxLayers,
          popularity,
          packedGroups,
          progress: async (phase, detail) => {
            await job.updateProgress({ phase, ...detail });
            await note(describeProgress({ phase, ...detail }));
          },
          onLayer: (packed, size) => {
            layerCount.inc({ result: packed ? 'packed' : 'reused' });
            if (packed) packedBytes.inc(size);
          },
        },
        job.data,
        log,
      );
      finish(result.kind);
      log.info({ result: result.kind }, 'build finished');
      await note(`finished: ${result.kind}`);
      return result;
    } catch (error) {
      finish('failed');
      log.error({ err: error }, 'build failed');
      // A Nix failure repeats on retry unless Nix says it was transient (a
      // download); other errors (store, Redis) may pass.
      const final = error instanceof BuildFailed && !error.transient;
      const retry = !final && job.attemptsMade + 1 < attempts;
      await note(`failed: ${(error as Error).message}`);
      await note(retry ? 'will retry after a pause' : 'will not retry');
      if (final) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
  };

  const worker = new Worker<BuildJobData, BuildResult>(BUILD_QUEUE, processBuild, {
    connection: redis,
    prefix: config.prefix,
    concurrency: config.builderConcurrency,
  });
  worker.on('error', (err) => logger.warn({ err }, 'worker error'));

  const server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    } else if (req.url === '/healthz' || req.url === '/readyz') {
      res.setHeader('Content-Type', 'application/json');
      const ready = req.url === '/healthz' || redis.status === 'ready';
      res.statusCode = ready ? 200 : 503;
      res.end(JSON.stringify({ status: ready ? 'ok' : 'unavailable' }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(config.port, () => {
    logger.info({ port: config.port, concurrency: config.builderConcurrency }, 'builder ready');
  });

  return async () => {
    server.close();
    await worker.close();
    redis.disconnect();
  };
});

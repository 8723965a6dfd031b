/**
 * `npm run gc -- [--dry-run] [--grace SECONDS]`: deletes blobs that no
 * cached manifest references and abandoned staging uploads, in the store
 * and Redis the NIXPORT_* variables name. Prints one line per object it
 * deletes (or, with --dry-run, would delete) and a summary.
 *
 * With `npm start`, point REDIS_URL at the Redis it prints. A Redis (or
 * prefix) holding no cached manifest at all would make every blob look
 * unreferenced, so gc refuses to delete then unless given --force.
 */
import { parseArgs } from 'node:util';

import {
  Caches,
  collectGarbage,
  connectRedis,
  loadConfig,
  openStore,
  type StoredObject,
} from '@nixport/shared';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    grace: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});
const config = loadConfig(process.env, 0);
const graceSeconds = values.grace === undefined ? config.gcGraceSeconds : Number(values.grace);
if (!Number.isInteger(graceSeconds) || graceSeconds < 0) {
  process.stderr.write('gc: --grace must be a whole number of seconds\n');
  process.exit(2);
}

const dryRun = values['dry-run'];
const redis = connectRedis(config.redisUrl, { blocking: true });
// A blocking connection would wait for Redis forever: give it 5 s.
redis.on('error', () => undefined);
const reached = await Promise.race([
  new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
  new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
]);
if (!reached) {
  process.stderr.write(
    `gc: cannot reach Redis at ${config.redisUrl}; set REDIS_URL ` +
      '(npm start prints the URL of the Redis it started)\n',
  );
  redis.disconnect();
  process.exit(1);
}
try {
  const caches = new Caches(redis, config.prefix);
  if (!dryRun && !values.force && (await isEmpty(caches.manifests()))) {
    process.stderr.write(
      `gc: Redis holds no cached manifest under prefix "${config.prefix}", so every ` +
        'blob would look unreferenced: check REDIS_URL and NIXPORT_PREFIX, or pass --force\n',
    );
    process.exitCode = 1;
  } else {
    await collect(caches);
  }
} finally {
  redis.disconnect();
}

async function isEmpty(items: AsyncIterable<unknown>): Promise<boolean> {
  for await (const _ of items) return false;
  return true;
}

async function collect(caches: Caches): Promise<void> {
  const store = await openStore(config);
  const verb = dryRun ? 'would delete' : 'deleted';
  const report = await collectGarbage(store, caches, {
    graceSeconds,
    dryRun,
    onDelete: (object: StoredObject, kind) => {
      process.stdout.write(`${verb} ${kind} ${object.key} ${object.size}\n`);
    },
  });
  process.stdout.write(
    `gc: ${report.referenced} referenced, ${report.kept} kept, ` +
      `${report.deletedBlobs} blobs (${report.deletedBytes} bytes) and ` +
      `${report.deletedStaging} staging objects ${verb}\n`,
  );
}

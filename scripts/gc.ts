/**
 * `npm run gc -- [--dry-run] [--grace SECONDS]`: deletes blobs that no
 * cached manifest references and abandoned staging uploads, in the store
 * and Redis the NIXPORT_* variables name. Prints one line per object it
 * deletes (or, with --dry-run, would delete) and a summary.
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
try {
  const store = await openStore(config);
  const verb = dryRun ? 'would delete' : 'deleted';
  const report = await collectGarbage(store, new Caches(redis, config.prefix), {
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
} finally {
  redis.disconnect();
}

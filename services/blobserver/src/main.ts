import {
  ConfigError,
  createLogger,
  createMetrics,
  FsBlobStore,
  loadConfig,
} from '@nixport/shared';

import { createApp } from './app.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 8081);
  const logger = createLogger('blobserver', config.logLevel);
  const store = new FsBlobStore(config.storeDir);
  await store.init();

  const app = createApp({ store, logger, metrics: createMetrics('blobserver') });
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port }, 'blobserver listening');
  });
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : String(error);
  process.stderr.write(`blobserver: ${message}\n`);
  process.exit(1);
});

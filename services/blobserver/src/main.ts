import { createLogger, createMetrics, loadConfig, openStore, runService } from '@nixport/shared';

import { createApp } from './app.ts';

runService('blobserver', async () => {
  const config = loadConfig(process.env, 8081);
  const logger = createLogger('blobserver', config.logLevel);
  const store = await openStore(config);

  const app = createApp({ store, logger, metrics: createMetrics('blobserver') });
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port }, 'blobserver listening');
  });
  return async () => {
    server.close();
  };
});

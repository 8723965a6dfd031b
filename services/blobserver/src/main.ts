import { createLogger, createMetrics, loadConfig, openStore, runService } from '@nixport/shared';

import { createApp } from './app.ts';

runService('blobserver', async () => {
  const config = loadConfig(process.env, 8081);
  const logger = createLogger('blobserver', config.logLevel);
  const store = await openStore(config);

  const mode = config.blobMode === 'redirect'
    ? { kind: 'redirect' as const, seconds: config.redirectSeconds }
    : { kind: 'proxy' as const };
  const app = createApp({ store, mode, logger, metrics: createMetrics('blobserver') });
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port, mode: mode.kind, store: config.store },
      'blobserver listening');
  });
  // A large blob can take longer than Node's 5 s keep-alive to drain from
  // the socket buffers on the client's side; a connection closed while the
  // client reuses it fails that client's next request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return async () => {
    server.close();
  };
});

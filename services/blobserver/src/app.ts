import express, { type NextFunction, type Request, type Response } from 'express';
import { Counter } from 'prom-client';

import {
  observeRequests,
  OperationUnsupported,
  parseRegistryPath,
  writeRegistryError,
  type BlobStore,
  type Logger,
  type RequestLocals,
  type ServiceMetrics,
} from '@nixport/shared';

import { getBlob, type BlobMode } from './routes/blobs.ts';

/** What the blobserver talks to. */
export interface BlobserverDeps {
  store: BlobStore;
  /** Stream blobs (the default) or redirect to presigned store URLs. */
  mode?: BlobMode;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** The blobserver as an Express app, mountable in tests without a port. */
export function createApp(deps: BlobserverDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const served = new Counter({
    name: 'nixport_blob_bytes_served_total',
    help: 'Blob bytes sent to clients',
    registers: [deps.metrics.registry],
  });

  const blobs = {
    store: deps.store,
    mode: deps.mode ?? { kind: 'proxy' as const },
    bytesServed: (n: number) => served.inc(n),
  };

  app.use(observeRequests(deps.logger, deps.metrics));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    await deps.store.check();
    res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  app.use('/v2', async (req: Request, res: Response) => {
    res.set('Docker-Distribution-API-Version', 'registry/2.0');
    const path = parseRegistryPath(req.baseUrl + req.path);
    if (path.kind !== 'blob' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      throw new OperationUnsupported(`${req.method} ${req.baseUrl}${req.path}`);
    }
    (res.locals as RequestLocals).route = '/v2/<name>/blobs/<digest>';
    await getBlob(blobs, req, res, path.digest);
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new OperationUnsupported(`${req.method} ${req.path}`));
  });
  app.use(writeRegistryError);
  return app;
}

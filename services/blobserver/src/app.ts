import { randomUUID } from 'node:crypto';

import express, { type NextFunction, type Request, type Response } from 'express';
import { Counter } from 'prom-client';

import {
  OperationUnsupported,
  parseRegistryPath,
  toErrorResponse,
  type BlobStore,
  type Logger,
  type ServiceMetrics,
} from '@nixport/shared';

import { getBlob } from './routes/blobs.ts';

/** What the blobserver talks to. */
export interface BlobserverDeps {
  store: BlobStore;
  logger: Logger;
  metrics: ServiceMetrics;
}

interface Locals {
  log: Logger;
  route: string;
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

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const locals = res.locals as Locals;
    locals.log = deps.logger.child({ reqId: req.get('x-request-id') || randomUUID() });
    locals.route = 'other';
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observeRequest(locals.route, req.method, res.statusCode, seconds);
      const fields = { method: req.method, route: locals.route, status: res.statusCode, seconds };
      if (res.statusCode >= 500) locals.log.error(fields, 'request failed');
      else locals.log.info(fields, 'request done');
    });
    next();
  });
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
    (res.locals as Locals).route = '/v2/<name>/blobs/<digest>';
    await getBlob(deps.store, (n) => served.inc(n), req, res, path.digest);
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new OperationUnsupported(`${req.method} ${req.path}`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const answer = toErrorResponse(error);
    if (answer.status >= 500) (res.locals as Locals).log.error({ err: error }, 'request error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.set('Content-Type', 'application/json');
    res.set(answer.headers);
    res.status(answer.status);
    if (req.method === 'HEAD') res.end();
    else res.end(JSON.stringify(answer.body));
  });
  return app;
}

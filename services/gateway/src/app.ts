import { randomUUID } from 'node:crypto';

import express, { type NextFunction, type Request, type Response } from 'express';

import {
  OperationUnsupported,
  parseImageName,
  parseRegistryPath,
  toErrorResponse,
  DEFAULT_TAG,
  type BlobStore,
  type Config,
  type Logger,
  type ServiceMetrics,
} from '@nixport/shared';

import type { BuildCoordinator } from './builds.ts';
import { forwardBlob } from './routes/blobs.ts';
import { getManifest } from './routes/manifests.ts';

/** Everything the gateway's HTTP layer talks to. */
export interface GatewayDeps {
  config: Config;
  store: BlobStore;
  builds: BuildCoordinator;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Resolves when Redis and the store can serve; rejects otherwise. */
  ready(): Promise<void>;
}

/** Request state shared by the middlewares of one request. */
interface Locals {
  log: Logger;
  route: string;
}

/** The gateway as an Express app, mountable in tests without a port. */
export function createApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(observe(deps));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    await deps.ready();
    res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  app.use('/v2', dispatch(deps));
  app.use((req: Request, res: Response, next: NextFunction) => {
    next(new OperationUnsupported(`${req.method} ${req.path}`));
  });
  app.use(writeError);
  return app;
}

/** Routes a `/v2` request by the resource its path names. */
function dispatch(deps: GatewayDeps) {
  return async (req: Request, res: Response) => {
    const locals = res.locals as Locals;
    // Every /v2 answer says which API it speaks (distribution spec).
    res.set('Docker-Distribution-API-Version', 'registry/2.0');
    const path = parseRegistryPath(req.baseUrl + req.path);
    const read = req.method === 'GET' || req.method === 'HEAD';

    if (path.kind === 'base' && read) {
      locals.route = '/v2/';
      res.json({});
      return;
    }
    if (path.kind === 'manifest' && read) {
      locals.route = '/v2/<name>/manifests/<reference>';
      locals.log = locals.log.child({ image: path.name, reference: path.reference });
      await getManifest(deps, req, res, path.name, path.reference);
      return;
    }
    if (path.kind === 'blob' && read) {
      locals.route = '/v2/<name>/blobs/<digest>';
      await forwardBlob(deps.config.blobserverUrl, req, res);
      return;
    }
    if (path.kind === 'tags' && read) {
      locals.route = '/v2/<name>/tags/list';
      parseImageName(path.name);
      res.json({ name: path.name, tags: [DEFAULT_TAG] });
      return;
    }
    throw new OperationUnsupported(`${req.method} ${req.originalUrl.split('?')[0]}`);
  };
}

/** Gives each request a logger and records its completion once. */
function observe(deps: GatewayDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const reqId = req.get('x-request-id') || randomUUID();
    const locals = res.locals as Locals;
    locals.log = deps.logger.child({ reqId });
    locals.route = 'other';

    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observeRequest(locals.route, req.method, res.statusCode, seconds);
      const fields = {
        method: req.method,
        route: locals.route,
        status: res.statusCode,
        seconds,
      };
      if (res.statusCode >= 500) locals.log.error(fields, 'request failed');
      else locals.log.info(fields, 'request done');
    });
    next();
  };
}

/** Writes the OCI error envelope for anything a handler threw. */
function writeError(error: unknown, req: Request, res: Response, _next: NextFunction) {
  const locals = res.locals as Locals;
  const answer = toErrorResponse(error);
  if (answer.status >= 500) locals.log.error({ err: error }, 'request error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.set('Content-Type', 'application/json');
  res.set(answer.headers);
  res.status(answer.status);
  if (req.method === 'HEAD') res.end();
  else res.end(JSON.stringify(answer.body));
}

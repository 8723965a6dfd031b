import express, { type NextFunction, type Request, type Response } from 'express';

import {
  DEFAULT_TAG,
  observeRequests,
  OperationUnsupported,
  parseImageName,
  parseRegistryPath,
  writeRegistryError,
  type BlobStore,
  type Config,
  type Logger,
  type RequestLocals,
  type ServiceMetrics,
} from '@nixport/shared';

import type { BuildCoordinator } from './builds.ts';
import { forwardBlob } from './routes/blobs.ts';
import { getBuild } from './routes/builds.ts';
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

/** The gateway as an Express app, mountable in tests without a port. */
export function createApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(observeRequests(deps.logger, deps.metrics));
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
  app.get('/builds/:buildKey', (req, res) => getBuild(deps.builds, req, res));
  app.use('/v2', dispatch(deps));
  app.use((req: Request, res: Response, next: NextFunction) => {
    next(new OperationUnsupported(`${req.method} ${req.path}`));
  });
  app.use(writeRegistryError);
  return app;
}

/** Routes a `/v2` request by the resource its path names. */
function dispatch(deps: GatewayDeps) {
  return async (req: Request, res: Response) => {
    const locals = res.locals as RequestLocals;
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

import express, { type NextFunction, type Request, type Response } from 'express';

import {
  checkRepositoryName,
  InvalidDigest,
  isDigest,
  observeRequests,
  OperationUnsupported,
  parseRegistryPath,
  writeRegistryError,
  type BlobStore,
  type Config,
  type Logger,
  type RegistryPath,
  type RequestLocals,
  type ServiceMetrics,
} from '@nixport/shared';

import { authorize, TOKEN_PATH } from './auth.ts';
import type { BuildCoordinator } from './builds.ts';
import { forwardBlob } from './routes/blobs.ts';
import { getBuild } from './routes/builds.ts';
import { getManifest } from './routes/manifests.ts';
import { listReferrers } from './routes/referrers.ts';
import { listTags } from './routes/tags.ts';
import { issueToken } from './routes/token.ts';

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

/** The methods every `/v2` resource of a read-only registry answers. */
const READ_METHODS = ['GET', 'HEAD'];

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
  if (deps.config.auth.mode === 'token') {
    app.get(TOKEN_PATH, (req, res) => {
      (res.locals as RequestLocals).route = TOKEN_PATH;
      issueToken(deps.config.auth, req, res);
    });
  }
  // A build's log names the image and its store paths: the same
  // credentials as a pull see it.
  app.get('/builds/:buildKey', (req, res) => {
    authorize(deps.config.auth, req, undefined);
    return getBuild(deps.builds, req, res);
  });
  app.use('/v2', dispatch(deps));
  app.use((req: Request, res: Response, next: NextFunction) => {
    next(new OperationUnsupported(`${req.method} ${req.path}`));
  });
  app.use(writeRegistryError);
  return app;
}

/** Endpoint templates, for messages that quote no raw client input. */
const ENDPOINTS: Record<RegistryPath['kind'], string> = {
  base: '/v2/',
  manifest: '/v2/<name>/manifests/<reference>',
  blob: '/v2/<name>/blobs/<digest>',
  tags: '/v2/<name>/tags/list',
  referrers: '/v2/<name>/referrers/<digest>',
  upload: '/v2/<name>/blobs/uploads/',
  unknown: 'this path',
};

/** Routes a `/v2` request by the resource its path names. */
function dispatch(deps: GatewayDeps) {
  return async (req: Request, res: Response) => {
    const locals = res.locals as RequestLocals;
    // Every /v2 answer says which API it speaks (distribution spec).
    res.set('Docker-Distribution-API-Version', 'registry/2.0');
    const path = parseRegistryPath(req.baseUrl + req.path);
    if (path.kind !== 'unknown') locals.route = ENDPOINTS[path.kind];
    // The name is checked first: it goes into the auth challenge's scope.
    const name = 'name' in path ? path.name : undefined;
    if (name !== undefined) checkRepositoryName(name);
    authorize(deps.config.auth, req, name);

    if (!READ_METHODS.includes(req.method)) {
      const allow = path.kind === 'unknown' || path.kind === 'upload' ? [] : READ_METHODS;
      throw new OperationUnsupported(`${req.method} ${ENDPOINTS[path.kind]}`, allow);
    }
    switch (path.kind) {
      case 'base':
        res.json({});
        return;
      case 'manifest':
        locals.log = locals.log.child({ image: path.name, reference: path.reference });
        await getManifest(deps, req, res, path.name, path.reference);
        return;
      case 'blob':
        if (!isDigest(path.digest)) throw new InvalidDigest(path.digest);
        await forwardBlob(deps.config.blobserverUrl, req, res, path);
        return;
      case 'tags':
        listTags(req, res, path.name);
        return;
      case 'referrers':
        listReferrers(req, res, path.name, path.digest);
        return;
      default:
        throw new OperationUnsupported(`${req.method} ${ENDPOINTS[path.kind]}`);
    }
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Queue, QueueEvents } from 'bullmq';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import request from 'supertest';

import {
  buildKey,
  Caches,
  createMetrics,
  DependencyUnavailable,
  describeSource,
  FsBlobStore,
  loadConfig,
  MEDIA_TYPES,
  parseAuthConfig,
  parseImageName,
  resolveRevision,
  sha256Digest,
  type BuiltImage,
  type Config,
} from '@nixport/shared';

import { startRedis, type TestRedis } from '../../../test/support/redis.ts';
import { writeFixtureSet } from '../../../test/support/fixture-set.ts';
import { createApp } from '../src/app.ts';
import { BuildCoordinator } from '../src/builds.ts';

/** Stores two small manifests and caches them as `name:latest`. */
async function seedImage(
  config: Config,
  store: FsBlobStore,
  caches: Caches,
  name: string,
): Promise<BuiltImage> {
  const image = {} as BuiltImage;
  for (const format of ['oci', 'docker'] as const) {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES[format].manifest }));
    const digest = sha256Digest(bytes);
    await store.putBlob(digest, bytes);
    image[format] = { mediaType: MEDIA_TYPES[format].manifest, digest, size: bytes.length };
  }
  const revision = await resolveRevision(config.packageSource, 'latest');
  const source = describeSource(config.packageSource);
  await caches.putManifest(buildKey({ ...parseImageName(name), source, revision }), image);
  return image;
}

describe('gateway', () => {
  let dir: string;
  let redis: TestRedis;
  let connection: Redis;
  let events: QueueEvents;
  let eventsConnection: Redis;
  let queue: Queue;
  let app: ReturnType<typeof createApp>;
  let deps: Parameters<typeof createApp>[0];
  let image: BuiltImage;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-gateway-'));
    redis = await startRedis();
    const set = await writeFixtureSet(join(dir, 'set'), 0);
    const config = loadConfig(
      { REDIS_URL: redis.url, NIXPORT_STORE_DIR: join(dir, 'store'), NIXPORT_PACKAGE_SOURCE: `path:${set}` },
      0,
    );
    connection = new Redis(redis.url, { maxRetriesPerRequest: null, enableOfflineQueue: false });
    await new Promise((resolve) => connection.once('ready', resolve));
    queue = new Queue('builds', { connection, prefix: 'gateway-test' });
    eventsConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
    eventsConnection.on('error', () => undefined);
    connection.on('error', () => undefined);
    events = new QueueEvents('builds', { connection: eventsConnection, prefix: 'gateway-test' });
    events.on('error', () => undefined);
    const store = new FsBlobStore(config.storeDir);
    await store.init();
    const caches = new Caches(connection, 'gateway-test');
    image = await seedImage(config, store, caches, 'shell/htop');
    const builds = new BuildCoordinator({ queue, events, caches, timeoutSeconds: 5 });
    deps = {
      config,
      store,
      builds,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics('gateway-test'),
      ready: async () => {
        try {
          await connection.ping();
        } catch (cause) {
          throw new DependencyUnavailable('redis', { cause });
        }
      },
    };
    app = createApp(deps);
  });

  after(async () => {
    await events?.close();
    await queue?.close();
    connection?.disconnect();
    eventsConnection?.disconnect();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a client checks /v2/', () => {
    it('answers 200 with the API version header', async () => {
      const res = await request(app).get('/v2/');
      expect(res.status).to.equal(200);
      expect(res.headers['docker-distribution-api-version']).to.equal('registry/2.0');
    });
  });

  describe('when a cached image is pulled by tag', () => {
    it('serves the OCI manifest to clients that accept it', async () => {
      const res = await request(app)
        .get('/v2/shell/htop/manifests/latest')
        .set('Accept', `${MEDIA_TYPES.docker.manifest}, ${MEDIA_TYPES.oci.manifest}`);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal(MEDIA_TYPES.oci.manifest);
      expect(res.headers['docker-content-digest']).to.equal(image.oci.digest);
      expect(res.headers['content-length']).to.equal(String(image.oci.size));
    });

    it('serves Docker schema 2 to clients that accept only that', async () => {
      const res = await request(app)
        .head('/v2/shell/htop/manifests/latest')
        .set('Accept', MEDIA_TYPES.docker.manifest);
      expect(res.status).to.equal(200);
      expect(res.headers['docker-content-digest']).to.equal(image.docker.digest);
    });
  });

  describe('when a manifest digest is not stored', () => {
    it('answers 404 MANIFEST_UNKNOWN', async () => {
      const res = await request(app).get(`/v2/htop/manifests/sha256:${'1'.repeat(64)}`);
      expect(res.status).to.equal(404);
      expect(res.body.errors[0].code).to.equal('MANIFEST_UNKNOWN');
    });
  });

  describe('when a client lists tags', () => {
    it('lists latest', async () => {
      const res = await request(app).get('/v2/shell/htop/tags/list');
      expect(res.body).to.deep.equal({ name: 'shell/htop', tags: ['latest'] });
    });
  });

  describe('when a path names no registry resource', () => {
    it('answers with the OCI error body, never HTML', async () => {
      const res = await request(app).get('/v2/htop');
      expect(res.status).to.equal(405);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body.errors[0].code).to.equal('UNSUPPORTED');
    });
  });

  describe('when basic authentication is on', () => {
    const password = 'correct-horse-battery';
    const lines: string[] = [];
    let guarded: ReturnType<typeof createApp>;
    const basic = (secret: string) => `Basic ${Buffer.from(`ci:${secret}`).toString('base64')}`;

    before(() => {
      const env = { NIXPORT_AUTH: 'basic', NIXPORT_AUTH_USERS: `ci:${password}` };
      const auth = parseAuthConfig(env, []);
      const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
      guarded = createApp({ ...deps, config: { ...deps.config, auth }, logger });
    });

    it('answers 401 UNAUTHORIZED with a Basic challenge without credentials', async () => {
      for (const authorization of [undefined, basic('wrong')]) {
        const req = request(guarded).get('/v2/shell/htop/manifests/latest');
        const res = await (authorization ? req.set('Authorization', authorization) : req);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal('Basic realm="nixport"');
        expect(res.body.errors[0].code).to.equal('UNAUTHORIZED');
      }
    });

    it('serves the manifest with the configured credentials, and logs no password', async () => {
      const res = await request(guarded)
        .get('/v2/shell/htop/manifests/latest')
        .set('Authorization', basic(password));
      expect(res.status).to.equal(200);
      expect(lines.join('')).to.include('request done');
      expect(lines.join('')).not.to.include(password);
      expect(lines.join('')).not.to.include(basic(password).slice(6));
    });
  });

  describe('when Redis is down', () => {
    before(async () => {
      await redis.stop();
      // A command written before the client sees the connection drop is
      // kept for a reconnect that never comes (maxRetriesPerRequest is
      // null, as BullMQ wants); wait until the client knows Redis is gone.
      while (connection.status === 'ready') {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });

    it('answers a build request with 503 UNAVAILABLE and Retry-After', async () => {
      const res = await request(app).get('/v2/jq/manifests/latest');
      expect(res.status).to.equal(503);
      expect(res.headers['retry-after']).to.match(/^\d+$/);
      expect(res.body.errors[0].code).to.equal('UNAVAILABLE');
    });

    it('reports itself not ready', async () => {
      const res = await request(app).get('/readyz');
      expect(res.status).to.equal(503);
    });
  });
});

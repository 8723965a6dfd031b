import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect } from 'chai';
import { Redis } from 'ioredis';

import {
  Caches,
  collectGarbage,
  sha256Digest,
  type BlobStore,
  type Digest,
} from '@nixport/shared';

import { startRedis, type TestRedis } from '../../../test/support/redis.ts';
import {
  openFsStore,
  STORE_KINDS,
  type TestStore,
} from '../../../test/support/stores.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Stores a one-layer image and caches its manifests like a build does. */
async function storeImage(store: BlobStore, caches: Caches, buildKey: string) {
  const put = async (data: string) => {
    const digest = sha256Digest(data);
    await store.putBlob(digest, Buffer.from(data));
    return { digest, size: data.length };
  };
  const layer = await put(`layer of ${buildKey}`);
  const config = await put(`{"config of":"${buildKey}"}`);
  const manifest = (mediaType: string) =>
    put(JSON.stringify({ mediaType, config, layers: [layer] }));
  const oci = { mediaType: 'oci', ...(await manifest('oci')) };
  const docker = { mediaType: 'docker', ...(await manifest('docker')) };
  await caches.putManifest(buildKey, { oci, docker });
  return [layer, config, oci, docker].map((d) => d.digest);
}

async function stored(store: BlobStore): Promise<Digest[]> {
  const digests: Digest[] = [];
  for await (const blob of store.listBlobs()) digests.push(blob.digest);
  return digests.sort();
}

async function staged(store: BlobStore): Promise<string[]> {
  const keys = [];
  for await (const object of store.listStaging()) keys.push(object.key);
  return keys;
}

describe('collectGarbage', function () {
  this.timeout(120_000);
  let redisServer: TestRedis;

  before(async () => {
    redisServer = await startRedis();
  });

  after(() => redisServer?.stop());

  for (const kind of STORE_KINDS) {
    describe(`on the ${kind.name} store`, () => {
      let fixture: TestStore;
      let redis: Redis;
      let caches: Caches;
      let kept: Digest[];
      let orphan: Digest;

      before(async () => {
        fixture = await kind.open();
        redis = new Redis(redisServer.url);
        caches = new Caches(redis, `gc-${kind.name}`);
        kept = await storeImage(fixture.store, caches, 'cached');
        orphan = sha256Digest('a layer no cached manifest names');
        await fixture.store.putBlob(orphan, Buffer.from('a layer no cached manifest names'));
        await fixture.store.stage(Readable.from([Buffer.from('abandoned upload')]));
        // S3 timestamps have whole seconds: let them fall behind "now".
        await new Promise((resolve) => setTimeout(resolve, 1100));
      });

      after(async () => {
        redis?.disconnect();
        await fixture?.close();
      });

      describe('when everything is within the grace period', () => {
        it('deletes nothing', async () => {
          const report = await collectGarbage(fixture.store, caches, {
            graceSeconds: 3600, dryRun: false,
          });
          expect(report.deletedBlobs + report.deletedStaging).to.equal(0);
          expect(await stored(fixture.store)).to.include(orphan);
        });
      });

      describe('when it is a dry run', () => {
        it('lists the orphan and the abandoned upload but deletes nothing', async () => {
          const listed: string[] = [];
          await collectGarbage(fixture.store, caches, {
            graceSeconds: 0, dryRun: true, onDelete: (object, what) => listed.push(what),
          });
          expect(listed.sort()).to.deep.equal(['blob', 'staging']);
          expect(await stored(fixture.store)).to.include(orphan);
          expect(await staged(fixture.store)).to.have.length(1);
        });
      });

      describe('when old blobs are unreferenced', () => {
        it('deletes them and abandoned uploads, and keeps what manifests name', async () => {
          const report = await collectGarbage(fixture.store, caches, {
            graceSeconds: 0, dryRun: false,
          });
          expect(report.deletedBlobs).to.equal(1);
          expect(report.deletedStaging).to.equal(1);
          expect(await stored(fixture.store)).to.deep.equal([...kept].sort());
          expect(await staged(fixture.store)).to.deep.equal([]);
        });
      });
    });
  }

  describe('when run as npm run gc -- --dry-run', () => {
    it('prints what it would delete and deletes nothing', async () => {
      const fixture = await openFsStore();
      const orphan = sha256Digest('orphan');
      try {
        await fixture.store.putBlob(orphan, Buffer.from('orphan'));
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'scripts/gc.ts', '--dry-run', '--grace', '0'],
          { cwd: ROOT, env: { ...process.env, REDIS_URL: redisServer.url,
            NIXPORT_STORE_DIR: fixture.dir, NIXPORT_PREFIX: 'gc-cli' } },
        );
        expect(stdout).to.include(`would delete blob blobs/sha256/${orphan.slice(7)}`);
        expect(stdout).to.match(/1 blobs \(6 bytes\)/);
        expect(await fixture.store.size(orphan)).to.equal(6);
      } finally {
        await fixture.close();
      }
    });
  });

  describe('when run against a Redis that holds no cached manifest', () => {
    it('refuses to delete, since every blob would look unreferenced', async () => {
      const fixture = await openFsStore();
      const blob = sha256Digest('still wanted');
      try {
        await fixture.store.putBlob(blob, Buffer.from('still wanted'));
        const failed = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'scripts/gc.ts', '--grace', '0'],
          { cwd: ROOT, env: { ...process.env, REDIS_URL: redisServer.url,
            NIXPORT_STORE_DIR: fixture.dir, NIXPORT_PREFIX: 'gc-wrong-prefix' } },
        ).then(() => undefined, (error: { code: number; stderr: string }) => error);
        expect(failed?.code).to.equal(1);
        expect(failed?.stderr).to.include('no cached manifest');
        expect(await fixture.store.size(blob)).to.equal(12);
      } finally {
        await fixture.close();
      }
    });
  });
});

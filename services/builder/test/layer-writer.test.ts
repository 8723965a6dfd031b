import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { Redis } from 'ioredis';

import { Caches, FsBlobStore, RedisLocks, type BlobStore } from '@nixport/shared';

import { startRedis, type TestRedis } from '../../../test/support/redis.ts';
import { LayerWriter } from '../src/layer-writer.ts';

/** A real filesystem store that counts the uploads it receives. */
function countingStore(store: FsBlobStore): { store: BlobStore; uploads: () => number } {
  let uploads = 0;
  const counted: BlobStore = {
    stage: (body) => {
      uploads += 1;
      return store.stage(body);
    },
    commit: (staged, digest) => store.commit(staged, digest),
    discard: (staged) => store.discard(staged),
    putBlob: (digest, data) => store.putBlob(digest, data),
    size: (digest) => store.size(digest),
    read: (digest, range) => store.read(digest, range),
    readAll: (digest) => store.readAll(digest),
    check: () => store.check(),
    listBlobs: () => store.listBlobs(),
    listStaging: () => store.listStaging(),
    remove: (key) => store.remove(key),
  };
  return { store: counted, uploads: () => uploads };
}

describe('LayerWriter', () => {
  let dir: string;
  let redis: TestRedis;
  const connections: Redis[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-layers-'));
    redis = await startRedis();
  });

  after(async () => {
    connections.forEach((connection) => connection.disconnect());
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A builder of its own: its own Redis connection, caches and locks. */
  function builder(store: BlobStore): LayerWriter {
    const connection = new Redis(redis.url);
    connections.push(connection);
    const caches = new Caches(connection, 'layers-test');
    return new LayerWriter(store, caches, 1, new RedisLocks(connection, 'layers-test'));
  }

  describe('when two builders pack the same layer at once', () => {
    it('uploads it once and gives both the same layer', async () => {
      const tree = join(dir, 'tree');
      await mkdir(join(tree, 'bin'), { recursive: true });
      await writeFile(join(tree, 'bin', 'tool'), 'x'.repeat(1 << 20));
      const fs = new FsBlobStore(join(dir, 'store'));
      await fs.init();
      const { store, uploads } = countingStore(fs);

      const content = { kind: 'root' as const, path: tree };
      const [first, second] = [builder(store), builder(store)];
      const [a, b] = await Promise.all([first.write(content), second.write(content)]);

      expect(a.digest).to.equal(b.digest);
      expect([a.packed, b.packed].sort()).to.deep.equal([false, true]);
      expect(uploads()).to.equal(1);
      expect(await fs.size(a.digest)).to.equal(a.size);
      const staging = await readdir(join(dir, 'store', 'staging')).catch(() => []);
      expect(staging).to.deep.equal([]);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'minio';

import { FsBlobStore, S3BlobStore, type BlobStore, type S3Settings } from '@nixport/shared';

import { useSwift, type TestSwift } from './swift.ts';

/** A store of one kind, fresh for one test file, and how to drop it. */
export interface TestStore<T extends BlobStore = BlobStore> {
  store: T;
  /** Set for the filesystem kind: the store's folder. */
  dir?: string;
  /** Set for the S3 kind: the server and the bucket's settings. */
  s3?: { swift: TestSwift; settings: S3Settings };
  close(): Promise<void>;
}

/** The filesystem store in a temporary folder. */
export async function openFsStore(): Promise<TestStore<FsBlobStore>> {
  const dir = await mkdtemp(join(tmpdir(), 'nixport-store-'));
  const store = new FsBlobStore(dir);
  await store.init();
  return { store, dir, close: () => rm(dir, { recursive: true, force: true }) };
}

/** The S3 store on the shared test Swift, in a bucket of its own. */
export async function openS3Store(): Promise<TestStore<S3BlobStore>> {
  const { swift, release } = await useSwift();
  const settings = s3Settings(swift, `nixport-test-${randomUUID().slice(0, 8)}`);
  const store = new S3BlobStore({ ...settings, createBucket: true });
  await store.init();
  return {
    store,
    s3: { swift, settings },
    async close() {
      await removeBucket(store, settings);
      await release();
    },
  };
}

/** Both kinds, for tests that hold for every store. */
export const STORE_KINDS: { name: string; open(): Promise<TestStore> }[] = [
  { name: 'filesystem', open: openFsStore },
  { name: 'S3', open: openS3Store },
];

/** Settings for a bucket on the test Swift; the bucket is not created. */
export function s3Settings(swift: TestSwift, bucket: string): S3Settings {
  return {
    endpoint: swift.endpoint,
    publicUrl: swift.endpoint,
    bucket,
    accessKey: swift.accessKey,
    secretKey: swift.secretKey,
    region: 'us-east-1',
    pathStyle: true,
    createBucket: false,
  };
}

/** Empties a bucket through the store and deletes it. */
export async function removeBucket(store: BlobStore, settings: S3Settings): Promise<void> {
  for await (const blob of store.listBlobs()) await store.remove(blob.digest);
  for await (const staged of store.listStaging()) await store.discard(staged);
  const url = new URL(settings.endpoint);
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
    region: settings.region,
    pathStyle: true,
  });
  await client.removeBucket(settings.bucket);
}

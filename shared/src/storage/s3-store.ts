import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';

import { Client } from 'minio';

import { digestHex, isDigest, type Digest } from '../digest.ts';
import { BlobNotFound } from '../errors.ts';
import type { BlobStore, ByteRange, Staged, StoredObject } from './store.ts';
import type { S3Settings } from './s3-settings.ts';

const BLOB_PREFIX = 'blobs/sha256/';
const STAGING_PREFIX = 'staging/';
/** Without it the client buffers a stream of unknown length in 528 MiB parts. */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * Blobs in an S3 bucket through the minio client. Uploads go to a
 * fresh `staging/<uuid>` key (a multipart upload resumes any other in
 * progress on the same key, so keys are never reused); once complete,
 * the object is copied to `blobs/sha256/<hex>`, confirmed with a stat
 * (the client can report success for a copy that failed) and the
 * staging object removed.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: Client;
  /** Signs URLs for the address clients use; it never sends a request. */
  readonly #signer: Client;
  readonly #settings: S3Settings;

  constructor(settings: S3Settings) {
    this.#settings = settings;
    this.#client = createClient(settings, settings.endpoint);
    this.#signer = createClient(settings, settings.publicUrl);
  }

  /** Creates the bucket when it is missing and creating it is allowed. */
  async init(): Promise<void> {
    const { bucket, region, createBucket } = this.#settings;
    if (await this.#client.bucketExists(bucket)) return;
    if (!createBucket) throw new Error(`bucket ${bucket} does not exist`);
    try {
      await this.#client.makeBucket(bucket, region);
    } catch (error) {
      // Services starting together race to create it: one wins.
      if (!(await this.#client.bucketExists(bucket))) throw error;
    }
  }

  async stage(body: Readable): Promise<Staged> {
    const key = `${STAGING_PREFIX}${randomUUID()}`;
    // The client attaches no 'error' listener to the source: a failing
    // source would crash the process and leave putObject pending. Watch
    // it here and give up on the upload when it fails.
    let failure: unknown;
    const failed = new Promise<never>((_resolve, reject) => {
      body.once('error', (error) => {
        failure = error;
        reject(error);
      });
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([this.#client.putObject(this.#bucket, key, body), failed]);
      if (failure) throw failure;
    } catch (error) {
      await this.#removeStaging(key).catch(() => undefined);
      throw error;
    }
    const { size } = await this.#client.statObject(this.#bucket, key);
    return { key, size };
  }

  async commit(staged: Staged, digest: Digest): Promise<void> {
    const final = blobKey(digest);
    if ((await this.size(digest)) !== staged.size) {
      await this.#client.copyObject(this.#bucket, final, `/${this.#bucket}/${staged.key}`);
      const copied = await this.size(digest);
      if (copied !== staged.size) {
        throw new Error(`copy of ${staged.key} to ${final} did not complete`);
      }
    }
    await this.#client.removeObject(this.#bucket, staged.key);
  }

  async discard(staged: Pick<Staged, 'key'>): Promise<void> {
    await this.#removeStaging(staged.key);
  }

  async putBlob(digest: Digest, data: Buffer): Promise<void> {
    // One PUT of known length is atomic in S3: no staging needed.
    await this.#client.putObject(this.#bucket, blobKey(digest), data, data.length);
  }

  async size(digest: Digest): Promise<number | undefined> {
    try {
      return (await this.#client.statObject(this.#bucket, blobKey(digest))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    const key = blobKey(digest);
    try {
      if (!range) return await this.#client.getObject(this.#bucket, key);
      const length = range.end - range.start + 1;
      return await this.#client.getPartialObject(this.#bucket, key, range.start, length);
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFound(digest);
      throw error;
    }
  }

  async readAll(digest: Digest): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.read(digest)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async check(): Promise<void> {
    if (!(await this.#client.bucketExists(this.#bucket))) {
      throw new Error(`bucket ${this.#bucket} does not exist`);
    }
  }

  async presignGet(digest: Digest, seconds: number): Promise<string> {
    return this.#signer.presignedGetObject(this.#bucket, blobKey(digest), seconds);
  }

  async *listBlobs(): AsyncIterable<StoredObject & { digest: Digest }> {
    for await (const item of this.#list(BLOB_PREFIX)) {
      const digest = `sha256:${item.key.slice(BLOB_PREFIX.length)}`;
      if (isDigest(digest)) yield { ...item, digest };
    }
  }

  async *listStaging(): AsyncIterable<StoredObject> {
    yield* this.#list(STAGING_PREFIX);
    // Multipart uploads that never completed hold parts but no object.
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const page = await this.#client.listIncompleteUploadsQuery(
        this.#bucket, STAGING_PREFIX, keyMarker, uploadIdMarker, '',
      );
      for (const upload of page.uploads) {
        yield { key: upload.key, size: 0, modified: upload.initiated };
      }
      if (!page.isTruncated) return;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  async remove(digest: Digest): Promise<void> {
    await this.#client.removeObject(this.#bucket, blobKey(digest));
  }

  get #bucket(): string {
    return this.#settings.bucket;
  }

  async *#list(prefix: string): AsyncIterable<StoredObject> {
    for await (const item of this.#client.listObjectsV2(this.#bucket, prefix, true)) {
      const { name, size, lastModified } = item as { name?: string; size: number;
        lastModified?: Date };
      if (name && lastModified) yield { key: name, size, modified: lastModified };
    }
  }

  async #removeStaging(key: string): Promise<void> {
    // Not removeIncompleteUpload: with no upload in progress it sends
    // `uploadId=undefined` and fails.
    const uploadId = await this.#client.findUploadId(this.#bucket, key);
    if (uploadId) await this.#client.abortMultipartUpload(this.#bucket, key, uploadId);
    await this.#client.removeObject(this.#bucket, key);
  }
}

function createClient(settings: S3Settings, address: string): Client {
  const url = new URL(address);
  const useSSL = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: 256 };
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    useSSL,
    accessKey: settings.accessKey,
    secretKey: settings.secretKey,
    // With a region set, presigning needs no request to the store.
    region: settings.region,
    pathStyle: settings.pathStyle,
    partSize: PART_SIZE,
    retryOptions: { disableRetry: true },
    transportAgent: useSSL ? new HttpsAgent(agentOptions) : new Agent(agentOptions),
  });
}

function blobKey(digest: Digest): string {
  return `${BLOB_PREFIX}${digestHex(digest)}`;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}

import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import {
  access, mkdir, open, readdir, readFile, rename, rm, stat, writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { digestHex, isDigest, type Digest } from '../digest.ts';
import { BlobNotFound } from '../errors.ts';
import type { BlobStore, ByteRange, Staged, StoredObject } from './store.ts';

/**
 * The embedded store: blobs as files under one folder. A rename within
 * one file system is atomic, which gives the staging guarantee for free.
 */
export class FsBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async init(): Promise<void> {
    await mkdir(join(this.#root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.#root, 'staging'), { recursive: true });
  }

  async stage(body: Readable): Promise<Staged> {
    const key = `staging/${randomUUID()}`;
    const path = join(this.#root, key);
    try {
      await pipeline(body, createWriteStream(path, { flags: 'wx' }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { key, size: (await stat(path)).size };
  }

  async commit(staged: Staged, digest: Digest): Promise<void> {
    await rename(join(this.#root, staged.key), this.#blobPath(digest));
  }

  async discard(staged: Pick<Staged, 'key'>): Promise<void> {
    await rm(join(this.#root, staged.key), { force: true });
  }

  async putBlob(digest: Digest, data: Buffer): Promise<void> {
    const staging = join(this.#root, 'staging', randomUUID());
    await writeFile(staging, data, { flag: 'wx' });
    await rename(staging, this.#blobPath(digest));
  }

  async size(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.#blobPath(digest))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(digest: Digest, range?: ByteRange): Promise<Readable> {
    const path = this.#blobPath(digest);
    // Open eagerly so a missing blob fails here, not mid-response.
    const stream = createReadStream(path, range);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error) =>
        reject(isMissing(error) ? new BlobNotFound(digest) : error),
      );
    });
    return stream;
  }

  async openFile(digest: Digest): Promise<FileHandle> {
    try {
      return await open(this.#blobPath(digest), 'r');
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFound(digest);
      throw error;
    }
  }

  async readAll(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.#blobPath(digest));
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFound(digest);
      throw error;
    }
  }

  async check(): Promise<void> {
    await access(join(this.#root, 'staging'), constants.W_OK);
    await access(join(this.#root, 'blobs', 'sha256'));
  }

  async *listBlobs(): AsyncIterable<StoredObject & { digest: Digest }> {
    for await (const item of this.#list('blobs/sha256')) {
      const digest = `sha256:${item.key.slice('blobs/sha256/'.length)}`;
      if (isDigest(digest)) yield { ...item, digest };
    }
  }

  listStaging(): AsyncIterable<StoredObject> {
    return this.#list('staging');
  }

  async remove(digest: Digest): Promise<void> {
    await rm(this.#blobPath(digest), { force: true });
  }

  async *#list(folder: string): AsyncIterable<StoredObject> {
    for (const name of await readdir(join(this.#root, folder))) {
      const key = `${folder}/${name}`;
      try {
        const { size, mtime } = await stat(join(this.#root, key));
        yield { key, size, modified: mtime };
      } catch (error) {
        // Committed or discarded while listing.
        if (!isMissing(error)) throw error;
      }
    }
  }

  #blobPath(digest: Digest): string {
    return join(this.#root, 'blobs', 'sha256', digestHex(digest));
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

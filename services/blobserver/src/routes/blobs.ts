import { pipeline } from 'node:stream/promises';

import type { Request, Response } from 'express';

import {
  BlobNotFound,
  InvalidDigest,
  isDigest,
  type BlobStore,
  type ServiceMetrics,
} from '@nixport/shared';

import { parseRange } from '../range.ts';

/**
 * `GET` and `HEAD /v2/<name>/blobs/<digest>`. Blobs are content-addressed
 * and never change, so they are cacheable forever and their digest is
 * their ETag. The repository name does not scope blobs: every image's
 * layers live in one store.
 */
export async function getBlob(
  store: BlobStore,
  bytesServed: (bytes: number) => void,
  req: Request,
  res: Response,
  digest: string,
): Promise<void> {
  if (!isDigest(digest)) throw new InvalidDigest(digest);
  const size = await store.size(digest);
  if (size === undefined) throw new BlobNotFound(digest);

  res.set({
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
    'Cache-Control': 'public, max-age=31536000, immutable',
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
  });
  if (req.get('if-none-match')?.includes(`"${digest}"`)) {
    res.status(304).end();
    return;
  }

  const range = parseRange(req.get('range'), size);
  const length = range ? range.end - range.start + 1 : size;
  res.set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  res.status(range ? 206 : 200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }

  const body = await store.read(digest, range);
  let sent = 0;
  body.on('data', (chunk: Buffer) => {
    sent += chunk.length;
  });
  try {
    await pipeline(body, res);
  } catch {
    // The client went away; pipeline has already closed the file.
  } finally {
    bytesServed(sent);
  }
}

export type { ServiceMetrics };

import { pipeline } from 'node:stream/promises';

import type { Request, Response } from 'express';

import {
  BlobNotFound,
  InvalidDigest,
  isDigest,
  type BlobStore,
  type Digest,
} from '@nixport/shared';

import { sendFile } from '../file-sender.ts';
import { parseRange } from '../range.ts';

/** How a GET gets its bytes to the client. */
export type BlobMode =
  | { kind: 'proxy' }
  | { kind: 'redirect'; seconds: number };

/** What the blob handler needs. */
export interface BlobDeps {
  store: BlobStore;
  mode: BlobMode;
  /** Counts bytes sent to clients. */
  bytesServed(bytes: number): void;
}

/**
 * `GET` and `HEAD /v2/<name>/blobs/<digest>`. Blobs are content-addressed
 * and never change, so they are cacheable forever and their digest is
 * their ETag. The repository name does not scope blobs: every image's
 * layers live in one store.
 *
 * In redirect mode a GET answers 307 with a short-lived presigned URL so
 * the bytes flow from the store straight to the client; a HEAD is still
 * answered here, since a presigned GET URL refuses HEAD.
 */
export async function getBlob(
  deps: BlobDeps,
  req: Request,
  res: Response,
  digest: string,
): Promise<void> {
  if (!isDigest(digest)) throw new InvalidDigest(digest);
  const size = await deps.store.size(digest);
  if (size === undefined) throw new BlobNotFound(digest);

  const etag = `"${digest}"`;
  res.set({
    'Docker-Content-Digest': digest,
    ETag: etag,
    'Cache-Control': 'public, max-age=31536000, immutable',
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
  });
  if (matchesEtag(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }

  if (req.method === 'GET' && deps.mode.kind === 'redirect') {
    await redirectBlob(deps, deps.mode.seconds, res, digest);
    return;
  }

  // RFC 9110, 13.1.5: a Range with a stale If-Range gets the whole blob.
  const ifRange = req.get('if-range');
  const rangeHeader = ifRange && ifRange !== etag ? undefined : req.get('range');
  const range = parseRange(rangeHeader, size);
  const length = range ? range.end - range.start + 1 : size;
  res.set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  res.status(range ? 206 : 200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }

  if (deps.store.openFile) {
    const file = await deps.store.openFile(digest);
    try {
      deps.bytesServed(await sendFile(res, file, range ?? { start: 0, end: size - 1 }));
    } finally {
      await file.close();
    }
    return;
  }
  await streamBlob(deps, res, digest, range);
}

async function redirectBlob(
  deps: BlobDeps,
  seconds: number,
  res: Response,
  digest: Digest,
): Promise<void> {
  if (!deps.store.presignGet) throw new Error('redirect mode needs a store that presigns');
  const url = await deps.store.presignGet(digest, seconds);
  // The URL expires: neither the redirect nor its headers may be cached.
  res.removeHeader('ETag');
  res.removeHeader('Accept-Ranges');
  res.removeHeader('Content-Type');
  // Set as is: re-encoding could change the bytes the signature covers.
  res.set({ 'Cache-Control': 'no-store', Location: url, 'Content-Length': '0' });
  res.status(307).end();
}

/**
 * Pipes the store's stream to the client. `pipeline` waits for the
 * socket to drain before reading on, and destroys the store's stream as
 * soon as the client goes away, which frees the upstream connection.
 */
async function streamBlob(
  deps: BlobDeps,
  res: Response,
  digest: Digest,
  range: { start: number; end: number } | undefined,
): Promise<void> {
  const body = await deps.store.read(digest, range);
  let sent = 0;
  body.on('data', (chunk: Buffer) => {
    sent += chunk.length;
  });
  try {
    await pipeline(body, res);
  } catch {
    // The client went away; pipeline has already destroyed the source.
  } finally {
    deps.bytesServed(sent);
  }
}

/** True when an If-None-Match list names this ETag, weakly or with `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

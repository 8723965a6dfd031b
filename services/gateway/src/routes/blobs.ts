import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { Request, Response } from 'express';

import { DependencyUnavailable } from '@nixport/shared';

/** Request headers a blob download depends on. */
const FORWARDED_REQUEST_HEADERS = ['range', 'if-none-match', 'if-range', 'accept'];

/**
 * Blob downloads are the blobserver's: the gateway forwards them, by
 * their canonical path (no query, no trailing slash), so that one
 * address serves the whole registry API. In Kubernetes the Ingress sends
 * blob paths to the blobserver directly and this forwarding is not on
 * the path. The caller has checked the name and digest.
 */
export async function forwardBlob(
  blobserverUrl: string,
  req: Request,
  res: Response,
  blob: { name: string; digest: string },
): Promise<void> {
  const target = new URL(`/v2/${blob.name}/blobs/${blob.digest}`, blobserverUrl);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }

  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, { method: req.method, headers }, resolve);
    outgoing.once('error', (cause) =>
      reject(new DependencyUnavailable('blobserver', { cause })),
    );
    outgoing.end();
  });

  res.status(upstream.statusCode ?? 502);
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && name !== 'connection' && name !== 'keep-alive') {
      res.setHeader(name, value);
    }
  }
  // A client that goes away stops the upstream download too.
  res.once('close', () => upstream.destroy());
  upstream.pipe(res);
}

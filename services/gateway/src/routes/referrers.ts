import type { Request, Response } from 'express';

import { checkRepositoryName, InvalidDigest, isDigest } from '@nixport/shared';

import { INDEX_TYPES } from '../image-index.ts';
import { firstValue } from './tags.ts';

/**
 * `GET /v2/<name>/referrers/<digest>` (distribution spec 1.1, "Listing
 * Referrers"). Nixport accepts no pushes, so no artifact ever refers to
 * an image: the answer is an empty image index, never a 404, which tells
 * clients the API is supported. A malformed digest is a 400.
 */
export function listReferrers(req: Request, res: Response, name: string, digest: string) {
  checkRepositoryName(name);
  if (!isDigest(digest)) throw new InvalidDigest(digest);

  // The filter is applied trivially: nothing matches it either.
  if (firstValue(req.query.artifactType) !== undefined) {
    res.set('OCI-Filters-Applied', 'artifactType');
  }
  res.type(INDEX_TYPES.oci);
  const index = { schemaVersion: 2, mediaType: INDEX_TYPES.oci, manifests: [] };
  res.send(Buffer.from(JSON.stringify(index)));
}

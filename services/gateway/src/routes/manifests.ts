import type { Request, Response } from 'express';

import {
  buildKey,
  describeSource,
  isDigest,
  isTag,
  InvalidReference,
  ManifestNotFound,
  parseImageName,
  resolveTag,
  type BlobStore,
  type Config,
  type Descriptor,
} from '@nixport/shared';

import type { BuildCoordinator } from '../builds.ts';
import { chooseManifest, manifestMediaType, MAX_MANIFEST_BYTES } from '../manifest-format.ts';

/** What the manifest handlers need. */
export interface ManifestDeps {
  config: Config;
  store: BlobStore;
  builds: BuildCoordinator;
}

/**
 * `GET` and `HEAD /v2/<name>/manifests/<reference>`. Both start or join
 * the build, so containerd's HEAD-then-GET-by-digest costs one build, and
 * both send the same headers for the same bytes.
 */
export async function getManifest(
  deps: ManifestDeps,
  req: Request,
  res: Response,
  name: string,
  reference: string,
): Promise<void> {
  const { descriptor, bytes } = await findManifest(deps, req, name, reference);
  res.set({
    'Content-Type': descriptor.mediaType,
    'Content-Length': String(descriptor.size),
    'Docker-Content-Digest': descriptor.digest,
    ETag: `"${descriptor.digest}"`,
  });
  res.status(200);
  if (req.method === 'HEAD') res.end();
  else res.end(bytes);
}

async function findManifest(
  deps: ManifestDeps,
  req: Request,
  name: string,
  reference: string,
): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const request = parseImageName(name);

  if (isDigest(reference)) {
    const size = await deps.store.size(reference);
    if (size === undefined || size > MAX_MANIFEST_BYTES) {
      throw new ManifestNotFound(reference);
    }
    const bytes = await deps.store.readAll(reference);
    const mediaType = manifestMediaType(bytes);
    if (!mediaType) throw new ManifestNotFound(reference);
    return { descriptor: { mediaType, digest: reference, size }, bytes };
  }
  if (!isTag(reference)) throw new InvalidReference(reference);

  // Resolving needs no Nix: a commit tag not even git. An exact revision
  // (a commit) is cached for good, a mutable one evaluated again later.
  const source = deps.config.packageSource;
  const { revision, exact, fetch } = await resolveTag(source, reference);
  const full = { ...request, source: describeSource(source), revision };
  const key = buildKey(full);
  const cacheSeconds = exact ? undefined : deps.config.reevaluateAfterSeconds;
  const image =
    (await deps.builds.cached(key)) ??
    (await deps.builds.build({ buildKey: key, image: name, request: full, fetch, cacheSeconds }));

  const descriptor = chooseManifest(image, req.headers.accept ? [req.headers.accept] : []);
  const bytes = await deps.store.readAll(descriptor.digest);
  return { descriptor, bytes };
}

import type { Request, Response } from 'express';

import {
  describeSource,
  InvalidDigest,
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
import { writeIndex } from '../image-index.ts';
import {
  chooseIndex,
  chooseManifest,
  manifestMediaType,
  MAX_MANIFEST_BYTES,
} from '../manifest-format.ts';
import { buildImage, buildPlatforms } from '../platform-builds.ts';

/** What the manifest handlers need. */
export interface ManifestDeps {
  config: Config;
  store: BlobStore;
  builds: BuildCoordinator;
}

/** A manifest ready to send. */
interface FoundManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

/**
 * `GET` and `HEAD /v2/<name>/manifests/<reference>`. Both start or join
 * the build, so containerd's HEAD-then-GET-by-digest costs one build, and
 * both send the same headers for the same bytes. The name and reference
 * are checked before anything is queued.
 */
export async function getManifest(
  deps: ManifestDeps,
  req: Request,
  res: Response,
  name: string,
  reference: string,
): Promise<void> {
  const { descriptor, bytes } = await findManifest(deps, req, name, reference);
  const etag = `"${descriptor.digest}"`;
  res.set({ 'Docker-Content-Digest': descriptor.digest, ETag: etag });
  if (matchesEtag(req.headersDistinct['if-none-match'], descriptor.digest)) {
    res.status(304).end();
    return;
  }

  res.set({
    'Content-Type': descriptor.mediaType,
    'Content-Length': String(descriptor.size),
  });
  res.status(200);
  if (req.method === 'HEAD') res.end();
  else res.end(bytes);
}

/**
 * True when `If-None-Match` names this digest (RFC 9110 §13.1.2): as the
 * reference registry compares it, quoted or bare, plus the list, weak
 * (`W/`) and `*` forms HTTP allows.
 */
export function matchesEtag(values: string[] | undefined, digest: string): boolean {
  const tags = (values ?? []).flatMap((value) => value.split(',')).map((t) => t.trim());
  return tags.some((tag) => {
    const bare = tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return tag === '*' || bare === digest;
  });
}

async function findManifest(
  deps: ManifestDeps,
  req: Request,
  name: string,
  reference: string,
): Promise<FoundManifest> {
  const request = parseImageName(name);
  if (isDigest(reference)) return readManifest(deps.store, reference);
  // The tag grammar has no `:`, so such a reference means a digest.
  if (reference.includes(':')) throw new InvalidDigest(reference);
  if (!isTag(reference)) throw new InvalidReference(reference);

  // Resolving needs no Nix: a commit tag not even git. An exact revision
  // (a commit) is cached for good, a mutable one evaluated again later.
  const source = deps.config.packageSource;
  const { revision, exact, fetch } = await resolveTag(source, reference);
  const full = { packages: request.packages, source: describeSource(source), revision };
  const accept = req.headersDistinct.accept;
  const job = { fetch, cacheSeconds: exact ? undefined : deps.config.reevaluateAfterSeconds };

  // An `arm64/` name asks for one system; any other name is built for
  // every configured architecture, and several of them make an index.
  const explicit = request.system !== 'x86_64-linux';
  const systems = explicit ? [request.system] : deps.config.architectures;
  if (systems.length === 1) {
    const image = await buildImage(deps.builds, name, { ...full, system: systems[0]! }, job);
    const descriptor = chooseManifest(image, accept);
    return { descriptor, bytes: await deps.store.readAll(descriptor.digest) };
  }

  const entries = await buildPlatforms(deps.builds, name, full, systems, job);
  const choice = chooseIndex(entries, accept);
  if (choice.kind === 'manifest') {
    const { descriptor } = choice;
    return { descriptor, bytes: await deps.store.readAll(descriptor.digest) };
  }
  const index = writeIndex(entries, choice.format);
  // Stored like any manifest, so a pull by the index digest finds it.
  if ((await deps.store.size(index.descriptor.digest)) === undefined) {
    await deps.store.putBlob(index.descriptor.digest, index.bytes);
  }
  return index;
}

/** A stored manifest by digest: exactly the bytes once served by tag. */
async function readManifest(store: BlobStore, digest: Descriptor['digest']) {
  const size = await store.size(digest);
  if (size === undefined || size > MAX_MANIFEST_BYTES) throw new ManifestNotFound(digest);

  const bytes = await store.readAll(digest);
  const mediaType = manifestMediaType(bytes);
  if (!mediaType) throw new ManifestNotFound(digest);
  return { descriptor: { mediaType, digest, size }, bytes };
}

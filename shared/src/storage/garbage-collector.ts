import type { Caches } from '../caches.ts';
import { isDigest, type Digest } from '../digest.ts';
import { BlobNotFound } from '../errors.ts';
import type { BlobStore, StoredObject } from './store.ts';

/** How one collection runs. */
export interface CollectOptions {
  /** Objects younger than this survive, so builds in flight keep theirs. */
  graceSeconds: number;
  /** List what would go, delete nothing. */
  dryRun: boolean;
  /** Called for each object deleted, or that a dry run would delete. */
  onDelete?(object: StoredObject, kind: 'blob' | 'staging'): void;
}

/** What a collection found. */
export interface CollectReport {
  /** Blobs the manifest cache references, directly or through a manifest. */
  referenced: number;
  /** Blobs kept: referenced, or within the grace period. */
  kept: number;
  deletedBlobs: number;
  deletedBytes: number;
  deletedStaging: number;
}

/**
 * Deletes blobs no cached manifest references and staging objects that
 * were abandoned. Steps:
 *
 * 1. List the store's blobs first, so that a blob committed afterwards
 *    is not even considered.
 * 2. Walk every manifest in the manifest cache: the manifest itself,
 *    its config and its layers (and, for an index, its manifests) are
 *    referenced.
 * 3. Delete each listed blob that is unreferenced and older than the
 *    grace period; delete staging objects older than it.
 *
 * A build writes its layers before it caches its manifest, so its blobs
 * are unreferenced until it ends: the grace period must outlast the
 * longest build (NIXPORT_NIX_TIMEOUT). A cached manifest whose blob is
 * gone names nothing; any other read failure stops the collection
 * rather than risk deleting what the manifest names.
 *
 * TODO(gc): a build that reuses an old unreferenced layer from the layer
 * cache can lose it if a collection runs during the build — the builder
 * should refresh such a layer's timestamp when it reuses it.
 */
export async function collectGarbage(
  store: BlobStore,
  caches: Caches,
  options: CollectOptions,
): Promise<CollectReport> {
  const cutoff = Date.now() - options.graceSeconds * 1000;
  const blobs: (StoredObject & { digest: Digest })[] = [];
  for await (const blob of store.listBlobs()) blobs.push(blob);

  const referenced = await referencedDigests(store, caches);
  const report: CollectReport = {
    referenced: referenced.size,
    kept: 0,
    deletedBlobs: 0,
    deletedBytes: 0,
    deletedStaging: 0,
  };
  for (const blob of blobs) {
    if (referenced.has(blob.digest) || blob.modified.getTime() > cutoff) {
      report.kept += 1;
      continue;
    }
    options.onDelete?.(blob, 'blob');
    if (!options.dryRun) await store.remove(blob.digest);
    report.deletedBlobs += 1;
    report.deletedBytes += blob.size;
  }

  for await (const staged of store.listStaging()) {
    if (staged.modified.getTime() > cutoff) continue;
    options.onDelete?.(staged, 'staging');
    if (!options.dryRun) await store.discard(staged);
    report.deletedStaging += 1;
  }
  return report;
}

/** Every digest reachable from the manifest cache. */
async function referencedDigests(store: BlobStore, caches: Caches): Promise<Set<Digest>> {
  const referenced = new Set<Digest>();
  const visit = async (digest: Digest, isManifest: boolean) => {
    if (referenced.has(digest)) return;
    referenced.add(digest);
    if (!isManifest) return;
    let manifest: ManifestLike;
    try {
      manifest = JSON.parse((await store.readAll(digest)).toString('utf8')) as ManifestLike;
    } catch (error) {
      // An expired build's manifest may be gone already: nothing to walk.
      if (error instanceof BlobNotFound) return;
      throw error;
    }
    for (const child of [manifest.config, ...(manifest.layers ?? [])]) {
      if (child && isDigest(child.digest)) await visit(child.digest, false);
    }
    for (const child of manifest.manifests ?? []) {
      if (isDigest(child.digest)) await visit(child.digest, true);
    }
  };
  for await (const image of caches.manifests()) {
    await visit(image.oci.digest, true);
    await visit(image.docker.digest, true);
  }
  return referenced;
}

/** The fields of an image manifest or index that name other blobs. */
interface ManifestLike {
  config?: { digest: string };
  layers?: { digest: string }[];
  manifests?: { digest: string }[];
}

import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';

import {
  BuildFailed,
  sha256Digest,
  type BlobStore,
  type BuildJobData,
  type BuildResult,
  type BuiltImage,
  type Caches,
  type Logger,
  type RedisLocks,
} from '@nixport/shared';

import { imageConfig, imageManifest } from './image-config.ts';
import { groupLayers } from './layers.ts';
import type { LayerWriter } from './layer-writer.ts';
import type { PackedGroups } from './packed-groups.ts';
import { popularityOf, type Popularity } from './popularity.ts';
import { errorMessage, isUnknownRevision, type Nix, type NixRequest } from './nix.ts';
import { closeMatches } from './suggestions.ts';

/** What one build needs. */
export interface BuildDeps {
  nix: Nix;
  layers: LayerWriter;
  store: BlobStore;
  caches: Caches;
  /** Serialises identical Nix work across builders. */
  locks: RedisLocks;
  maxLayers: number;
  /** Reverse-dependency counts for layering; none when absent. */
  popularity?: Popularity;
  /** The groups already packed, reused as they are when they fit. */
  packedGroups?: PackedGroups;
  /** Called as the build moves on, for BullMQ progress and metrics. */
  progress(phase: string, detail?: Record<string, number>): Promise<void>;
  onLayer(packed: boolean, size: number): void;
}

/**
 * Builds one image: evaluate, then (once per derivation across all
 * builders) realise, group the closure into layers, pack what is new,
 * write config and manifests. The image is remembered under the
 * derivation, so a new revision of a mutable source that gives the same
 * derivation reuses it without realising or packing anything, and under
 * the build key, so the next pull of this request needs no job at all.
 */
export async function buildImage(
  deps: BuildDeps,
  job: BuildJobData,
  log: Logger,
): Promise<BuildResult> {
  const { packages, system } = job.request;
  const nixRequest = { fetch: job.fetch, packages, system };

  await deps.progress('evaluating');
  const plan = await deps.nix.plan(nixRequest).catch((error: unknown) => {
    if (isUnknownRevision(error)) return errorMessage(error.log ?? '');
    throw error;
  });
  if (typeof plan === 'string') return { kind: 'unknown-revision', reason: plan };
  if (plan.unknown.length > 0) {
    const near = await deps.nix.near(nixRequest);
    const suggestions = Object.fromEntries(
      plan.unknown.map((name) => [name, closeMatches(name, near[name] ?? [])]),
    );
    return { kind: 'unknown-packages', packages: plan.unknown, suggestions };
  }
  if (plan.refused.length > 0) {
    return { kind: 'refused', refusals: await explain(deps.nix, nixRequest, plan.refused) };
  }
  const drvPath = plan.drvPath;
  if (!drvPath) throw new BuildFailed('evaluation gave no derivation');

  const image = await deps.locks.hold(`derivation:${basename(drvPath)}`, async () => {
    const built = await reuse(deps, drvPath);
    if (built) {
      log.info({ drvPath }, 'image reused');
      return built;
    }
    const assembled = await assembleImage(deps, job, drvPath, log);
    await deps.caches.putBuilt(drvPath, assembled);
    return assembled;
  });
  await deps.caches.putManifest(job.buildKey, image, job.cacheSeconds);
  return { kind: 'built', image };
}

/** Nix's reasons for every refusal the check left without one. */
async function explain(
  nix: Nix,
  request: NixRequest,
  refused: { name: string; reason: string | null }[],
): Promise<{ name: string; reason: string }[]> {
  const explained = [];
  for (const { name, reason } of refused) {
    explained.push({ name, reason: reason ?? (await nix.explain(request, name)) });
  }
  return explained;
}

/** The image a derivation gave before, if its manifests are still stored. */
async function reuse(deps: BuildDeps, drvPath: string): Promise<BuiltImage | undefined> {
  const image = await deps.caches.getBuilt(drvPath);
  if (!image) return undefined;
  const sizes = await Promise.all([image.oci, image.docker].map((d) => deps.store.size(d.digest)));
  return sizes.every((size) => size !== undefined) ? image : undefined;
}

/** Realises the image root and turns its closure into layers and manifests. */
async function assembleImage(
  deps: BuildDeps,
  job: BuildJobData,
  drvPath: string,
  log: Logger,
): Promise<BuiltImage> {
  const { system } = job.request;
  await deps.progress('realising');
  const root = await deps.nix.realise(drvPath);
  const closure = (await deps.nix.closure(root)).filter((p) => p.path !== root);
  // The root's own layer is the last one, so the budget has one less.
  const { popularity, packedGroups } = deps;
  const history = await packedGroups?.lookup(closure.map((p) => p.path));
  const groups = groupLayers({
    closure,
    budget: deps.maxLayers - 1,
    popularity: popularity && ((path) => popularityOf(popularity, path)),
    packed: history?.packed,
    previous: history?.previous,
  });
  log.info({ paths: closure.length, layers: groups.length + 1 }, 'closure grouped');

  const contents = [
    ...groups.map((group) => ({ kind: 'store-paths' as const, paths: group.paths })),
    { kind: 'root' as const, path: root },
  ];
  const layers = [];
  for (const [index, content] of contents.entries()) {
    await deps.progress('packing', { layer: index + 1, of: contents.length });
    const layer = await deps.layers.write(content);
    deps.onLayer(layer.packed, layer.size);
    layers.push(layer);
  }

  await packedGroups?.record(groups.map((group) => group.paths));
  await deps.progress('uploading');
  const facts = {
    hasBash: await exists(join(root, 'bin', 'bash')),
    hasCaBundle: await exists(join(root, 'etc', 'ssl', 'certs', 'ca-certificates.crt')),
  };
  const config = imageConfig(system, layers, facts);
  const oci = imageManifest('oci', config, layers);
  const docker = imageManifest('docker', config, layers);
  await deps.store.putBlob(sha256Digest(config), config);
  await deps.store.putBlob(oci.descriptor.digest, oci.bytes);
  await deps.store.putBlob(docker.descriptor.digest, docker.bytes);
  return { oci: oci.descriptor, docker: docker.descriptor };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

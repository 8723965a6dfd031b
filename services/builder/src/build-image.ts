import { access } from 'node:fs/promises';
import { join } from 'node:path';

import {
  BuildFailed,
  sha256Digest,
  type BlobStore,
  type BuildJobData,
  type BuildResult,
  type Caches,
  type Logger,
} from '@nixport/shared';

import { imageConfig, imageManifest } from './image-config.ts';
import { groupLayers } from './layers.ts';
import type { LayerWriter } from './layer-writer.ts';
import type { Nix } from './nix.ts';
import type { PackedGroups } from './packed-groups.ts';
import { popularityOf, type Popularity } from './popularity.ts';

/** What one build needs. */
export interface BuildDeps {
  nix: Nix;
  layers: LayerWriter;
  store: BlobStore;
  caches: Caches;
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
 * Builds one image: evaluate, realise, group the closure into layers,
 * pack what is new, then write config and manifests and remember them
 * under the build key.
 */
export async function buildImage(
  deps: BuildDeps,
  job: BuildJobData,
  log: Logger,
): Promise<BuildResult> {
  const { packages, system, source } = job.request;
  const nixRequest = { source: sourcePath(source), packages, system };

  await deps.progress('evaluating');
  const check = await deps.nix.check(nixRequest);
  if (check.unknown.length > 0) return { kind: 'unknown-packages', packages: check.unknown };
  if (check.refused.length > 0) return { kind: 'refused', refusals: check.refused };

  await deps.progress('realising');
  const root = await deps.nix.build(nixRequest);
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

  const image = { oci: oci.descriptor, docker: docker.descriptor };
  await deps.caches.putManifest(job.buildKey, image);
  return { kind: 'built', image };
}

function sourcePath(source: string): string {
  if (source.startsWith('path:')) return source.slice('path:'.length);
  throw new BuildFailed(`unsupported package source ${source}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

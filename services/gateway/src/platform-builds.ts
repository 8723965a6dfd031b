import {
  buildKey,
  PackagesRefused,
  type BuildJobData,
  type BuildRequest,
  type BuiltImage,
  type System,
} from '@nixport/shared';

import type { BuildCoordinator } from './builds.ts';
import type { PlatformImage } from './image-index.ts';

/** One image name's request, before a system is chosen. */
export type PlatformlessRequest = Omit<BuildRequest, 'system'>;

/** What every build of one pull shares: how to fetch, how long to cache. */
export type JobOptions = Pick<BuildJobData, 'fetch' | 'cacheSeconds'>;

/** The cached image of one build request, or its build, joined or started. */
export async function buildImage(
  builds: BuildCoordinator,
  image: string,
  request: BuildRequest,
  options: JobOptions,
): Promise<BuiltImage> {
  const key = buildKey(request);
  return (
    (await builds.cached(key)) ??
    (await builds.build({ buildKey: key, image, request, ...options }))
  );
}

/**
 * Builds one image for several systems at once, for an image index.
 *
 * A system whose package set refuses a package (`not available on
 * aarch64-linux`) is left out of the index: a client on that platform
 * then finds no entry for it and says so, while the others pull. Only
 * when every system refuses is the pull refused, naming every refusal.
 * Any other failure (unknown packages, a failed or timed-out build)
 * fails the whole pull, so a transient fault never shrinks an index.
 */
export async function buildPlatforms(
  builds: BuildCoordinator,
  image: string,
  request: PlatformlessRequest,
  systems: System[],
  options: JobOptions,
): Promise<PlatformImage[]> {
  const settled = await Promise.allSettled(
    systems.map((system) => buildImage(builds, image, { ...request, system }, options)),
  );

  const built: PlatformImage[] = [];
  const refusals: PackagesRefused['refusals'] = [];
  settled.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') {
      built.push({ system: systems[index]!, image: outcome.value });
    } else if (outcome.reason instanceof PackagesRefused) {
      refusals.push(...outcome.reason.refusals);
    } else {
      throw outcome.reason;
    }
  });
  if (built.length === 0) throw new PackagesRefused(refusals);
  return built;
}

import { Queue, QueueEvents, type Job } from 'bullmq';

import {
  BuildFailed,
  BuildTimedOut,
  buildJobId,
  DependencyUnavailable,
  PackagesNotFound,
  PackagesRefused,
  type BuildJobData,
  type BuildResult,
  type BuiltImage,
  type Caches,
} from '@nixport/shared';

/** How often a build is tried before its failure is final. */
const BUILD_ATTEMPTS = 3;

/**
 * Turns build requests into images: from the manifest cache when it
 * holds the build key, otherwise by queueing a build or joining the one
 * already queued under the same key.
 */
export class BuildCoordinator {
  readonly #queue: Queue<BuildJobData, BuildResult>;
  readonly #events: QueueEvents;
  readonly #caches: Caches;
  readonly #timeoutMs: number;

  constructor(options: {
    queue: Queue<BuildJobData, BuildResult>;
    events: QueueEvents;
    caches: Caches;
    timeoutSeconds: number;
  }) {
    this.#queue = options.queue;
    this.#events = options.events;
    this.#caches = options.caches;
    this.#timeoutMs = options.timeoutSeconds * 1000;
  }

  /** The cached image for a build key, without building anything. */
  cached(buildKey: string): Promise<BuiltImage | undefined> {
    return viaRedis(() => this.#caches.getManifest(buildKey));
  }

  /**
   * Builds (or joins the build of) an image and waits for it. The build
   * belongs to the queue, not to this call: when the caller gives up or
   * times out, the build goes on and a later pull finds its result.
   */
  async build(data: BuildJobData): Promise<BuiltImage> {
    const job = await viaRedis(() => this.#enqueue(data));
    const result = await this.#wait(job);
    if (result.kind === 'unknown-packages') throw new PackagesNotFound(result.packages);
    if (result.kind === 'refused') throw new PackagesRefused(result.refusals);
    return result.image;
  }

  async #enqueue(data: BuildJobData): Promise<Job<BuildJobData, BuildResult>> {
    const jobId = buildJobId(data.buildKey);
    const existing = await this.#queue.getJob(jobId);
    // A failed job stays failed when re-added under its id: remove it so
    // that a new pull retries the build.
    if (existing && (await existing.isFailed())) {
      await existing.remove().catch(() => undefined);
    }
    return this.#queue.add('build', data, {
      jobId,
      attempts: BUILD_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 3600, count: 10000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async #wait(job: Job<BuildJobData, BuildResult>): Promise<BuildResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BuildTimedOut(this.#timeoutMs / 1000)),
        this.#timeoutMs,
      );
    });
    try {
      const finished = job.waitUntilFinished(this.#events) as Promise<BuildResult>;
      return await Promise.race([finished, timeout]);
    } catch (error) {
      if (error instanceof BuildTimedOut) throw error;
      throw new BuildFailed((error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs a Redis call, turning a connection failure into a 503. */
async function viaRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new DependencyUnavailable('redis', { cause });
  }
}

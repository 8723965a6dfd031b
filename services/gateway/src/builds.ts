import { Queue, QueueEvents, type Job } from 'bullmq';

import {
  BuildFailed,
  BuildNotFound,
  BuildTimedOut,
  buildJobId,
  DependencyUnavailable,
  PackagesNotFound,
  PackagesRefused,
  TagNotFound,
  type BuildJobData,
  type BuildLog,
  type BuildProgress,
  type BuildResult,
  type BuiltImage,
  type Caches,
} from '@nixport/shared';

/**
 * How often a build is tried before its failure is final. Only transient
 * failures are tried again (the builder marks the others unrecoverable),
 * after 2 s, then 4 s.
 */
const BUILD_ATTEMPTS = 3;
const BACKOFF_MS = 2000;

/** What the build status page shows. */
export interface BuildStatus {
  buildKey: string;
  /** The repository name of the pull that queued it. */
  image?: string;
  /** BullMQ's state (`waiting`, `active`, `completed`, `failed` …), or `gone`. */
  state: string;
  progress?: BuildProgress;
  attempts: number;
  failedReason?: string;
  result?: BuildResult['kind'];
  log: string[];
}

/** The path of a build's status page, which failed pulls point to. */
export function statusPath(buildKey: string): string {
  return `/builds/${buildKey}`;
}

/**
 * Turns build requests into images: from the manifest cache when it
 * holds the build key, otherwise by queueing a build or joining the one
 * already queued under the same key.
 */
export class BuildCoordinator {
  readonly #queue: Queue<BuildJobData, BuildResult>;
  readonly #events: QueueEvents;
  readonly #caches: Caches;
  readonly #log: BuildLog | undefined;
  readonly #timeoutMs: number;

  constructor(options: {
    queue: Queue<BuildJobData, BuildResult>;
    events: QueueEvents;
    caches: Caches;
    /** The builders' per-build logs, for the status page. */
    log?: BuildLog;
    timeoutSeconds: number;
  }) {
    this.#queue = options.queue;
    this.#events = options.events;
    this.#caches = options.caches;
    this.#log = options.log;
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
    const result = await this.#wait(job, data.buildKey);
    if (result.kind === 'unknown-packages') {
      throw new PackagesNotFound(result.packages, result.suggestions);
    }
    if (result.kind === 'refused') throw new PackagesRefused(result.refusals);
    if (result.kind === 'unknown-revision') {
      throw new TagNotFound(data.request.revision, result.reason);
    }
    return result.image;
  }

  /** What a build is doing or did, with its log; `BuildNotFound` if unknown. */
  async status(buildKey: string): Promise<BuildStatus> {
    const [job, log] = await viaRedis(() =>
      Promise.all([
        this.#queue.getJob(buildJobId(buildKey)),
        this.#log?.read(buildKey) ?? Promise.resolve([]),
      ]),
    );
    if (!job && log.length === 0) throw new BuildNotFound(buildKey);
    const state = job ? await viaRedis(() => job.getState()) : 'gone';
    const progress = job?.progress;
    return {
      buildKey,
      image: job?.data.image,
      state,
      progress: typeof progress === 'object' ? (progress as BuildProgress) : undefined,
      attempts: job?.attemptsMade ?? 0,
      failedReason: job?.failedReason || undefined,
      result: (job?.returnvalue as BuildResult | null | undefined)?.kind,
      log,
    };
  }

  async #enqueue(data: BuildJobData): Promise<Job<BuildJobData, BuildResult>> {
    const jobId = buildJobId(data.buildKey);
    const existing = await this.#queue.getJob(jobId);
    // A finished job stays finished when re-added under its id: remove it
    // so that a pull the manifest cache no longer answers builds again (a
    // failed build is retried; a mutable source is evaluated again).
    if (existing?.finishedOn) await existing.remove().catch(() => undefined);
    return this.#queue.add('build', data, {
      jobId,
      attempts: BUILD_ATTEMPTS,
      backoff: { type: 'exponential', delay: BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 10000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async #wait(job: Job<BuildJobData, BuildResult>, buildKey: string): Promise<BuildResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BuildTimedOut(this.#timeoutMs / 1000, statusPath(buildKey))),
        this.#timeoutMs,
      );
    });
    try {
      const finished = job.waitUntilFinished(this.#events) as Promise<BuildResult>;
      return await Promise.race([finished, timeout]);
    } catch (error) {
      if (error instanceof BuildTimedOut) throw error;
      const reason = (error as Error).message.replace(/^build failed: /, '');
      throw new BuildFailed(`${reason} (build log: ${statusPath(buildKey)})`);
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

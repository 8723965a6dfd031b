import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  streamLayer,
  type LayerDigests,
} from '../services/builder/src/layer-stream.ts';

/** One timed pass of either side over the same store paths. */
export interface PackRun {
  seconds: number;
  /** Bytes of the uncompressed tarball that side wrote. */
  tarBytes: number;
  /** MB (10^6 bytes) of that tarball packed, compressed, hashed per second. */
  mbPerSecond: number;
  /** CPU time (user and system) of every thread and process of that side. */
  cpuSeconds: number;
}

/** What both sides produced, and how fast, over several rounds. */
export interface PackBenchResult {
  ours: PackRun[];
  reference: PackRun[];
  /** Our layer's digests; the same in every run, or the bench fails. */
  layer: LayerDigests;
  /** Bytes of the reference's gzip output. */
  referenceGzipBytes: number;
  /**
   * Median over the rounds of our MB/s over the reference's in the same
   * round: pairing neighbours cancels load that drifts between rounds.
   */
  ratio: number;
}

/** The pipeline ours is measured against, at the same gzip level. */
export function referenceCommand(level: number): string {
  return `tar --sort=name -C / -c -T "$LIST" | gzip -${level} | sha256sum`;
}

/**
 * Packs `paths` (absolute store paths) with the builder's layer stream
 * and with the reference pipeline, `rounds` times each, the two in turn
 * (alternating which goes first) so that both see the same machine load.
 * An untimed pass of each first warms the page cache and measures the
 * reference's sizes. Throws when two of our runs differ in any byte.
 */
export async function runPackBench(
  paths: string[],
  options: { rounds: number; level: number },
  report: (line: string) => void = () => undefined,
): Promise<PackBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nixport-bench-pack-'));
  try {
    const list = join(dir, 'paths');
    await writeFile(list, paths.map((path) => `${path.slice(1)}\n`).join(''));
    const reference = new Reference(list, options.level);
    const sizes = await reference.sizes();
    const first = await packOnce(paths, options.level);

    const rounds: { ours: PackRun; reference: PackRun }[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      // Odd rounds start with the reference, even ones with ours.
      const theirs = round % 2 === 1 ? await reference.run(sizes.tar) : undefined;
      const again = await packOnce(paths, options.level);
      const pair = { ours: again.run, reference: theirs ?? (await reference.run(sizes.tar)) };
      rounds.push(pair);
      report(`round ${round}: reference ${line(pair.reference)}, ours ${line(pair.ours)}`);

      if (again.layer.digest !== first.layer.digest) {
        throw new Error(`run ${round} gave ${again.layer.digest}, not ${first.layer.digest}`);
      }
    }

    return {
      ours: rounds.map((pair) => pair.ours),
      reference: rounds.map((pair) => pair.reference),
      layer: first.layer,
      referenceGzipBytes: sizes.gzip,
      ratio: middle(rounds.map((pair) => pair.ours.mbPerSecond / pair.reference.mbPerSecond)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median MB/s of a side's rounds. */
export function median(runs: PackRun[]): number {
  return middle(runs.map((run) => run.mbPerSecond));
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

/** `tar --sort=name | gzip | sha256sum` over the paths listed in a file. */
class Reference {
  readonly #env: NodeJS.ProcessEnv;
  readonly #level: number;

  constructor(list: string, level: number) {
    this.#env = { ...process.env, LIST: list };
    this.#level = level;
  }

  /** Sizes of the tarball and of its gzip output (untimed). */
  async sizes(): Promise<{ tar: number; gzip: number }> {
    const tar = 'tar --sort=name -C / -c -T "$LIST"';
    return {
      tar: Number(await shell(`${tar} | wc -c`, this.#env)),
      gzip: Number(await shell(`${tar} | gzip -${this.#level} | wc -c`, this.#env)),
    };
  }

  async run(tarBytes: number): Promise<PackRun> {
    const started = performance.now();
    // `times` prints the shell's, then its children's, user and system time.
    const out = await shell(`${referenceCommand(this.#level)}; times`, this.#env);
    const seconds = (performance.now() - started) / 1000;
    return runOf(seconds, tarBytes, childCpu(out));
  }
}

async function packOnce(paths: string[], level: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const trees = paths.map((path) => ({ from: path, to: path.slice(1) }));
  const layer = streamLayer(trees, ['nix', 'nix/store'], level);
  // Read and drop: the reference's sha256sum is its only consumer too.
  for await (const _chunk of layer.body);

  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const digests = layer.digests();
  return { run: runOf(seconds, digests.diffSize, (user + system) / 1e6), layer: digests };
}

function runOf(seconds: number, tarBytes: number, cpuSeconds: number): PackRun {
  return { seconds, tarBytes, mbPerSecond: tarBytes / 1e6 / seconds, cpuSeconds };
}

/** User plus system seconds from the last line of bash's `times`. */
function childCpu(out: string): number {
  const times = out.trim().split('\n').at(-1)!.split(' ');
  return times.reduce((sum, time) => {
    const [, minutes, seconds] = /^(\d+)m([\d.]+)s$/.exec(time) ?? ['', '0', '0'];
    return sum + Number(minutes) * 60 + Number(seconds);
  }, 0);
}

function line(run: PackRun): string {
  const cpu = `CPU ${run.cpuSeconds.toFixed(2)} s`;
  return `${run.seconds.toFixed(2)} s ${run.mbPerSecond.toFixed(1)} MB/s (${cpu})`;
}

/** Runs a bash pipeline (failing if any part fails) and returns its stdout. */
function shell(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new Error(`${command} exited with ${code}: ${err.slice(-500)}`));
    });
  });
}

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { streamLayer, type LayerDigests } from '../services/builder/src/layer-stream.ts';

/** One timed pass of either side over the same store paths. */
export interface PackRun {
  seconds: number;
  /** Bytes of the uncompressed tarball that side wrote. */
  tarBytes: number;
  /** MB (10^6 bytes) of that tarball packed, compressed and hashed per second. */
  mbPerSecond: number;
  /** CPU time (user and system) of every thread and process of that side. */
  cpuSeconds: number;
}

/** What both sides produced, and how fast, over several rounds. */
export interface PackBenchResult {
  ours: PackRun[];
  reference: PackRun[];
  /** Our layer's digests; the same in every round, or the bench fails. */
  layer: LayerDigests;
  /** Bytes of `gzip -<level>` output of the reference tarball. */
  referenceGzipBytes: number;
  referenceSha256: string;
  /** Median of our MB/s over the median of the reference's. */
  ratio: number;
}

/** The pipeline ours is measured against, at the same gzip level. */
export function referenceCommand(level: number): string {
  return `tar --sort=name -C / -c -T "$LIST" | gzip -${level} | sha256sum`;
}

/**
 * Packs `paths` (absolute store paths) with the builder's layer stream
 * and with `tar --sort=name | gzip | sha256sum`, alternating the two for
 * `rounds` rounds so that both see the same machine load, after one
 * untimed pass of each that warms the page cache and measures the
 * reference's sizes. Throws when two of our rounds differ in any byte.
 */
export async function runPackBench(
  paths: string[],
  options: { rounds: number; level: number },
  report: (line: string) => void = () => undefined,
): Promise<PackBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'nixport-bench-pack-'));
  const list = join(dir, 'paths');
  await writeFile(list, paths.map((path) => path.slice(1)).join('\n') + '\n');
  try {
    const env = { ...process.env, LIST: list };
    const tarBytes = Number(await shell('tar --sort=name -C / -c -T "$LIST" | wc -c', env));
    const gzip = `tar --sort=name -C / -c -T "$LIST" | gzip -${options.level} | wc -c`;
    const gzipBytes = await shell(gzip, env);
    const first = await packOnce(paths, options.level);

    const ours: PackRun[] = [];
    const reference: PackRun[] = [];
    let sha = '';
    for (let round = 1; round <= options.rounds; round += 1) {
      const started = performance.now();
      // `times` prints the shell's, then its children's, user and system time.
      const out = await shell(`${referenceCommand(options.level)}; times`, env);
      const seconds = (performance.now() - started) / 1000;
      sha = out.split(' ')[0] ?? '';
      reference.push(runOf(seconds, tarBytes, childCpu(out)));

      const again = await packOnce(paths, options.level);
      ours.push(runOf(again.seconds, again.layer.diffSize, again.cpuSeconds));
      if (again.layer.digest !== first.layer.digest) {
        throw new Error(`round ${round} gave ${again.layer.digest}, not ${first.layer.digest}`);
      }
      report(`round ${round}: reference ${line(reference.at(-1)!)}, ours ${line(ours.at(-1)!)}`);
    }

    return {
      ours,
      reference,
      layer: first.layer,
      referenceGzipBytes: Number(gzipBytes),
      referenceSha256: sha,
      ratio: median(ours) / median(reference),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median MB/s of a side's rounds. */
export function median(runs: PackRun[]): number {
  const sorted = runs.map((r) => r.mbPerSecond).sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
  return { seconds, cpuSeconds: (user + system) / 1e6, layer: layer.digests() };
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

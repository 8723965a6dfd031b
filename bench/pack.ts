/**
 * `npm run bench:pack [-- --rounds N --level L --packages a,b]`: packs,
 * compresses and hashes the closure of the image holding every package
 * of the offline set's default list (bash, coreutils, git, python3, perl,
 * curl, … about 90 store paths, 225 MB; `--packages` picks others), with
 * the builder's layer stream and with `tar --sort=name -c | gzip -L |
 * sha256sum`, alternating the two.
 * Prints both speeds, CPU times and sizes; the last line is `ratio: X`,
 * the median over the rounds of our MB/s over the pipeline's in the same
 * round. Fails if two of our runs differ in a byte.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULT_PACKAGES } from '../nix/src/default-packages.ts';
import { Nix } from '../services/builder/src/nix.ts';
import {
  median,
  referenceCommand,
  runPackBench,
  type PackRun,
} from './pack-bench.ts';

const OFFLINE = fileURLToPath(new URL('../nix/offline', import.meta.url));

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    level: { type: 'string', default: '6' },
    packages: { type: 'string', default: DEFAULT_PACKAGES.join(',') },
  },
});
const packages = values.packages.split(',');
const rounds = Number(values.rounds);
const level = Number(values.level);

const nix = new Nix(1800);
const request = { fetch: { kind: 'path' as const, path: OFFLINE }, packages, system: 'x86_64-linux' as const };
const root = await nix.build(request);
const closure = await nix.closure(root);
const paths = closure.map((entry) => entry.path).sort();
const narBytes = closure.reduce((sum, entry) => sum + entry.narSize, 0);

const say = (text: string) => process.stdout.write(`${text}\n`);
say(`closure of the image of ${packages.join(' ')}`);
say(`${paths.length} store paths, ${mb(narBytes)} MB as NARs, gzip level ${level}`);
say(`reference: ${referenceCommand(level)}`);
say(`ours: the builder's layer stream (tar, sha256, parallel gzip, sha256)`);
say(`${rounds} rounds; MB/s of each side's own tarball`);

const result = await runPackBench(paths, { rounds, level }, say);
const { layer } = result;
say(`reference: ${summary(result.reference, result.referenceGzipBytes)}`);
say(`ours:      ${summary(result.ours, layer.size)}`);
say(`ours: ${layer.digest} in all ${rounds + 1} runs (diff id ${layer.diffId})`);
say(`ratio: ${result.ratio.toFixed(2)}`);

function summary(runs: PackRun[], gzipBytes: number): string {
  const cpu = runs.map((run) => run.cpuSeconds).sort((a, b) => a - b);
  return [
    `median ${median(runs).toFixed(1)} MB/s`,
    `CPU ${cpu[cpu.length >> 1]!.toFixed(2)} s`,
    `tar ${mb(runs[0]!.tarBytes)} MB`,
    `gzip ${mb(gzipBytes)} MB`,
  ].join(', ');
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

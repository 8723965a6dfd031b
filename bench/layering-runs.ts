import { makeFleet, type FleetShape } from './fleet.ts';
import { layerings } from './layerings.ts';
import type { PackageGraph } from './package-graph.ts';
import { lowerBound, simulatePulls, type ImageClosure } from './pull-simulation.ts';

/** One package graph and the fleet pulled from it. */
export interface BenchCase {
  name: string;
  graph: PackageGraph;
  shape: FleetShape;
}

/** One run's downloaded bytes per layering, and the lower bound. */
export interface RunResult {
  bytes: Record<string, number>;
  /** The same for a client that reuses only whole layer chains (docker). */
  chainBytes: Record<string, number>;
  bound: number;
}

const COLUMNS = ['per image', 'per path', 'nixery', 'ours, cold', 'ours'];

/** Pulls one fleet with every layering. */
export function runOnce(
  graph: PackageGraph,
  images: readonly string[][],
  budget: number,
  popularity: ReadonlyMap<string, number>,
): RunResult {
  const closures: ImageClosure[] = images.map((names) => {
    const roots = names.map((name) => graph.pathOf(name) as string);
    return { roots, closure: graph.closureOf(roots) };
  });
  const all = layerings(popularity, (path) => graph.closureSize(path));
  const bytes: Record<string, number> = {};
  const chainBytes: Record<string, number> = {};
  for (const [name, layering] of Object.entries(all)) {
    const totals = simulatePulls(closures, layering, budget);
    bytes[name] = totals.bytes;
    chainBytes[name] = totals.chainBytes;
  }
  return { bytes, chainBytes, bound: lowerBound(closures) };
}

/** (ours − bound) / (Nixery − bound); 0 when neither pays any excess. */
export function excessRatio(run: RunResult): number {
  const ours = (run.bytes.ours ?? 0) - run.bound;
  const nixery = (run.bytes.nixery ?? 0) - run.bound;
  if (nixery <= 0) return ours <= 0 ? 0 : Infinity;
  return ours / nixery;
}

/**
 * Runs every case, budget and seed, printing a table in MB, and returns
 * the mean excess ratio over all runs.
 */
export function runLayeringBench(
  cases: readonly BenchCase[],
  budgets: readonly number[],
  seeds: readonly number[],
  popularity: ReadonlyMap<string, number>,
  print: (line: string) => void,
): number {
  const header = ['graph', 'budget', 'seed', 'images', ...COLUMNS, 'bound', 'ratio'];
  header.push('docker: nixery', 'docker: ours');
  print(header.map((h) => h.padStart(h.startsWith('docker') ? 15 : 11)).join(''));
  const ratios: number[] = [];

  for (const { name, graph, shape } of cases) {
    for (const budget of budgets) {
      for (const seed of seeds) {
        const images = makeFleet(graph, shape, seed);
        const run = runOnce(graph, images, budget, popularity);
        const ratio = excessRatio(run);
        ratios.push(ratio);
        const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
        const cells = [name, String(budget), String(seed), String(images.length)];
        cells.push(...COLUMNS.map((c) => mb(run.bytes[c] ?? 0)), mb(run.bound));
        cells.push(ratio.toFixed(3));
        cells.push(mb(run.chainBytes.nixery ?? 0), mb(run.chainBytes.ours ?? 0));
        print(cells.map((cell, i) => cell.padStart(i >= header.length - 2 ? 15 : 11)).join(''));
      }
    }
  }
  return ratios.reduce((sum, r) => sum + r, 0) / ratios.length;
}

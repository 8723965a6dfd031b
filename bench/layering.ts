/**
 * `npm run bench:layering`: bytes a client downloads pulling a sequence
 * of related images, per layering, on the offline package set and on
 * Debian's whole archive, for layer budgets 94 and 20 and three seeds.
 * Ends with `ratio: X`, the mean over runs of (ours − bound) /
 * (Nixery − bound): the share of Nixery's excess that ours still pays.
 */
import { DEFAULT_PACKAGES } from '../nix/src/default-packages.ts';

import { loadDebianGraph } from './debian-graph.ts';
import { type FleetShape } from './fleet.ts';
import { runLayeringBench, type BenchCase } from './layering-runs.ts';
import { loadOfflineGraph } from './offline-graph.ts';

const BUDGETS = [94, 20];
const SEEDS = [1, 2, 3];
const ALWAYS = ['ca-certificates', 'netbase'];
const SHELL = ['bash', 'coreutils'];

const debian = await loadDebianGraph();
const offline = await loadOfflineGraph();

const offlineShape: FleetShape = {
  images: 30,
  always: ALWAYS,
  shell: SHELL,
  stacks: [['python3'], ['perl']],
  stacksPerFleet: 2,
  apps: DEFAULT_PACKAGES.filter((n) => ![...ALWAYS, ...SHELL].includes(n)),
  appsPerFleet: 12,
  maxAppsPerImage: 3,
  maxAppClosure: 100,
};
const debianShape: FleetShape = {
  images: 100,
  always: ALWAYS,
  shell: SHELL,
  stacks: [
    ['python3'], ['perl'], ['ruby'], ['default-jre-headless'], ['php-cli'],
    ['golang-go'], ['lua5.4'], ['r-base-core'], ['tcl'], ['nodejs'],
  ],
  stacksPerFleet: 4,
  apps: [...debian.index.packages.keys()].filter(isApplication).sort(),
  appsPerFleet: 40,
  maxAppsPerImage: 3,
  maxAppClosure: 600,
};

const cases: BenchCase[] = [
  { name: 'offline', graph: offline, shape: offlineShape },
  { name: 'debian', graph: debian.graph, shape: debianShape },
];
const ratio = runLayeringBench(cases, BUDGETS, SEEDS, debian.popularity, (line) =>
  console.log(line),
);
console.log(`ratio: ${ratio.toFixed(3)}`);

/** Names that look like programs rather than libraries, data or docs. */
function isApplication(name: string): boolean {
  if (/^(lib|fonts-|firmware-|linux-|golang-|node-|python3-|ruby-|php-|r-cran-)/.test(name)) {
    return false;
  }
  return !/-(dev|doc|dbg|data|common|l10n|examples|headers|source|tests)$/.test(name);
}

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

import { makeFleet, type FleetShape } from '../../bench/fleet.ts';
import { runOnce } from '../../bench/layering-runs.ts';
import { loadOfflineGraph } from '../../bench/offline-graph.ts';
import { syntheticGraph } from '../../bench/synthetic-graph.ts';
import { DEFAULT_PACKAGES } from '../../nix/src/default-packages.ts';
import { readPopularity } from '../../services/builder/src/popularity.ts';

const OFFLINE_POPULARITY = fileURLToPath(
  new URL('../../nix/offline/popularity.json', import.meta.url),
);

// `npm run bench:layering` at CI size: the same pulls, layerings and
// checks (every layering must cover each closure once within the
// budget, or the run throws), on a small fleet.
describe('bench:layering', () => {
  describe('when a fleet pulls from a made-up package set of 3000 packages', () => {
    const { graph, popularity, names } = syntheticGraph(3000, 6, 7);
    const shape: FleetShape = {
      images: 20,
      always: ['pkg0'],
      shell: ['pkg1', 'pkg2'],
      stacks: [['pkg40'], ['pkg90'], ['pkg200']],
      stacksPerFleet: 2,
      apps: names.slice(1000),
      appsPerFleet: 12,
      maxAppsPerImage: 3,
      maxAppClosure: 400,
    };

    for (const budget of [94, 20, 5]) {
      it(`downloads no more with ours than with Nixery's at budget ${budget}`, () => {
        const run = runOnce(graph, makeFleet(graph, shape, budget), budget, popularity);
        expect(run.bytes.ours).to.be.at.most(run.bytes.nixery!);
        expect(run.bytes.ours).to.be.at.least(run.bound);
        expect(run.bytes['per image']).to.be.at.least(run.bytes.ours!);
      });
    }
  });

  describe('when a fleet pulls from the offline package set', () => {
    it('downloads no more with ours than with Nixery\'s at budgets 94 and 20', async () => {
      const graph = await loadOfflineGraph();
      const popularity = readPopularity(JSON.parse(await readFile(OFFLINE_POPULARITY, 'utf8')));
      const shape: FleetShape = {
        images: 15,
        always: ['ca-certificates', 'netbase'],
        shell: ['bash', 'coreutils'],
        stacks: [['python3'], ['perl']],
        stacksPerFleet: 2,
        apps: DEFAULT_PACKAGES.filter((name) => !['bash', 'coreutils'].includes(name)),
        appsPerFleet: 8,
        maxAppsPerImage: 3,
        maxAppClosure: 100,
      };
      for (const budget of [94, 20]) {
        const run = runOnce(graph, makeFleet(graph, shape, 1), budget, popularity);
        expect(run.bytes.ours).to.be.at.most(run.bytes.nixery!);
        expect(run.bytes.ours).to.be.at.least(run.bound);
      }
    });
  });
});

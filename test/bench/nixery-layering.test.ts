import { expect } from 'chai';

import { closureSizes, groupLayersNixery } from '../../bench/nixery-layering.ts';
import type { StorePath } from '../../services/builder/src/nix.ts';

const path = (name: string) => `/nix/store/${'b'.repeat(32)}-${name}`;
const sp = (name: string, narSize: number, refs: string[] = []): StorePath => ({
  path: path(name),
  narSize,
  references: refs.map(path),
});

// The example of Nixery's published design: the image asks for A, B, C
// and D; A, B and C need E; C needs D; D needs F and G. E is popular
// and G is big (its closure is over 100 MB).
const CLOSURE = [
  sp('A', 1000, ['E']),
  sp('B', 2000, ['E']),
  sp('C', 3000, ['E', 'D']),
  sp('D', 4000, ['F', 'G']),
  sp('E', 5000),
  sp('F', 6000),
  sp('G', 200_000_000),
];
const POPULARITY = new Map([['E', 5000]]);

function layers(budget: number): string[][] {
  const sizes = closureSizes(CLOSURE);
  return groupLayersNixery({
    closure: CLOSURE,
    roots: ['A', 'B', 'C', 'D'].map(path),
    budget,
    popularity: (p) => POPULARITY.get(p.slice(44)),
    closureSize: (p) => sizes.get(p) ?? 0,
  }).map((layer) => layer.paths.map((p) => p.slice(44)));
}

describe("Nixery's layering (the bench's reference)", () => {
  describe('when the budget is large', () => {
    it('makes a layer of each top-level subtree of the dominator tree', () => {
      expect(layers(10).map((layer) => layer.join()).sort()).to.deep.equal(
        ['A', 'B', 'C', 'D,F', 'E', 'G'],
      );
    });
  });

  describe('when the budget is smaller', () => {
    it('merges the lowest rated into one, without sorting again', () => {
      // Ratings are popularity × summed closure sizes: A 6 kB, B 7 kB,
      // E 5000 × 5 kB, G 200 MB, D+F and C over 200 MB (their closures
      // hold G). So popular E rates below C, and the merged layer keeps
      // absorbing the next one: A, B, E, then G.
      expect(layers(3)).to.deep.equal([['A', 'B', 'E', 'G'], ['D', 'F'], ['C']]);
      expect(layers(1)).to.have.length(1);
    });
  });
});

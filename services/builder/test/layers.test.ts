import { expect } from 'chai';

import { groupLayers, type LayerGroup } from '../src/layers.ts';
import type { StorePath } from '../src/nix.ts';

const path = (name: string) => `/nix/store/${'a'.repeat(32)}-${name}`;
const sp = (name: string, narSize: number, refs: string[] = []): StorePath => ({
  path: path(name),
  narSize,
  references: [path(name), ...refs.map(path)],
});
const names = (layers: LayerGroup[]) =>
  layers.map((layer) => layer.paths.map((p) => p.slice(44)));

const POPULARITY = new Map([
  ['libncursesw6', 300],
  ['libtinfo6', 1],
  ['libc6', 20000],
  ['git', 40],
]);
const popularity = (p: string) => POPULARITY.get(p.slice(44));

const HTOP = [
  sp('htop', 300_000, ['libncursesw6', 'libc6']),
  sp('libncursesw6', 400_000, ['libtinfo6', 'libc6']),
  sp('libtinfo6', 200_000, ['libc6']),
  sp('libc6', 13_000_000),
];

describe('groupLayers', () => {
  describe('when the units fit the budget', () => {
    it('gives a popular path its own layer and a private one its dependant\'s', () => {
      const layers = groupLayers({ closure: HTOP, budget: 3, popularity });
      expect(names(layers)).to.deep.equal([['libc6'], ['libncursesw6', 'libtinfo6'], ['htop']]);
      expect(layers.map((layer) => layer.size)).to.deep.equal([13_000_000, 600_000, 300_000]);
    });
  });

  describe('when popularity is unknown', () => {
    it('gives every path a layer of its own while the budget allows', () => {
      expect(groupLayers({ closure: HTOP, budget: 10 })).to.have.length(4);
    });
  });

  describe('when there are more units than layers', () => {
    it('keeps the largest and merges the rest into the last layer', () => {
      const layers = groupLayers({ closure: HTOP, budget: 2, popularity });
      expect(names(layers)).to.deep.equal([
        ['libc6'],
        ['htop', 'libncursesw6', 'libtinfo6'],
      ]);
    });
  });

  describe('when the closure has 600 paths', () => {
    const closure = Array.from({ length: 600 }, (_, i) =>
      sp(`p${String(i).padStart(3, '0')}`, 1000 + i, i < 3 ? [] : [`p00${i % 3}`]),
    );

    for (const budget of [94, 20, 1]) {
      it(`never exceeds a budget of ${budget} and holds each path once`, () => {
        const count = budget === 20 ? 1 : 2;
        const layers = groupLayers({ closure, budget, popularity: () => count });
        const all = layers.flatMap((layer) => layer.paths);
        expect(layers.length).to.be.at.most(budget);
        expect(new Set(all).size).to.equal(600);
        expect(all).to.have.length(600);
      });
    }
  });

  describe('when the layer cache holds groups of the closure', () => {
    it('reuses those inside the closure as they are and skips the others', () => {
      const packed = [
        [path('libncursesw6'), path('libtinfo6'), path('htop')],
        [path('libc6'), path('bash')],
      ];
      const layers = groupLayers({ closure: HTOP, budget: 94, popularity, packed });
      expect(names(layers)).to.deep.equal([['libc6'], ['htop', 'libncursesw6', 'libtinfo6']]);
    });

    it('still keeps within the budget', () => {
      const packed = HTOP.map((p) => [p.path]);
      expect(groupLayers({ closure: HTOP, budget: 2, packed })).to.have.length(2);
    });
  });

  describe('when two related images share paths', () => {
    it('lists the shared layers in the same order in both', () => {
      const git = [
        sp('git', 9_000_000, ['libc6', 'perl']),
        sp('perl', 7_000_000, ['libc6']),
        ...HTOP.filter((p) => p.path === path('libc6')),
      ];
      const both = [...HTOP, ...git.slice(0, 2)];
      const order = (closure: StorePath[]) =>
        groupLayers({ closure, budget: 94, popularity }).map((l) => l.paths.join());
      const shared = order(git).filter((layer) => order(both).includes(layer));
      expect(shared).to.have.length(3);
      expect(order(both).filter((layer) => shared.includes(layer))).to.deep.equal(shared);
    });
  });

  describe('when an earlier manifest starts with layers this image has', () => {
    it('lists the longest such run first, in that order, for docker\'s chains', () => {
      const previous = [
        [[path('htop')], [path('libc6')], [path('bash')]],
        [[path('htop')], [path('libc6')], [path('libncursesw6'), path('libtinfo6')]],
      ];
      const layers = groupLayers({ closure: HTOP, budget: 3, popularity, previous });
      expect(names(layers)).to.deep.equal([['htop'], ['libc6'], ['libncursesw6', 'libtinfo6']]);
    });
  });

  describe('when the closure comes in another order', () => {
    it('gives the same layers', () => {
      const reversed = [...HTOP].reverse();
      expect(groupLayers({ closure: reversed, budget: 2, popularity })).to.deep.equal(
        groupLayers({ closure: HTOP, budget: 2, popularity }),
      );
    });
  });
});

import { expect } from 'chai';

import { findStrongComponents } from '../src/strong-components.ts';

describe('findStrongComponents', () => {
  describe('when packages depend on each other in a cycle', () => {
    it('merges the cycle into one sorted component', () => {
      const edges = new Map([
        ['bash', ['libc6']],
        ['libc6', ['libgcc-s1']],
        ['libgcc-s1', ['libc6']],
      ]);

      expect(findStrongComponents(['bash', 'libc6', 'libgcc-s1'], edges)).to.deep.equal([
        ['bash'],
        ['libc6', 'libgcc-s1'],
      ]);
    });
  });

  describe('when the same graph comes in another order', () => {
    it('returns the same components', () => {
      const edges = new Map([
        ['c', ['a']],
        ['a', ['b']],
        ['b', ['c', 'd']],
        ['d', []],
      ]);
      const reordered = new Map([...edges].reverse());

      expect(findStrongComponents(['d', 'c', 'b', 'a'], reordered)).to.deep.equal(
        findStrongComponents(['a', 'b', 'c', 'd'], edges),
      );
      expect(findStrongComponents(['a', 'b', 'c', 'd'], edges)).to.deep.equal([
        ['a', 'b', 'c'],
        ['d'],
      ]);
    });
  });

  describe('when an edge leads outside the nodes', () => {
    it('ignores it', () => {
      const edges = new Map([['a', ['elsewhere']]]);

      expect(findStrongComponents(['a'], edges)).to.deep.equal([['a']]);
    });
  });

  describe('when a chain is as long as the whole archive', () => {
    it('does not overflow the stack', () => {
      const nodes = Array.from({ length: 100_000 }, (_, i) => `p${i}`);
      const edges = new Map(nodes.map((node, i) => [node, [`p${(i + 1) % nodes.length}`]]));

      const components = findStrongComponents(nodes, edges);

      expect(components).to.have.length(1);
      expect(components[0]).to.have.length(100_000);
    });
  });
});

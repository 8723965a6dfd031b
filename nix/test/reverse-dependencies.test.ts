import { expect } from 'chai';

import { countReverseDependencies } from '../src/reverse-dependencies.ts';

describe('countReverseDependencies', () => {
  describe('when packages share a dependency', () => {
    it('counts each direct dependant once and leaves out what nothing needs', () => {
      const edges = new Map([
        ['a', ['c']],
        ['b', ['a', 'c']],
        ['c', []],
      ]);
      const counts = countReverseDependencies(edges);
      expect(Object.fromEntries(counts)).to.deep.equal({ a: 1, c: 2 });
      expect([...counts.keys()]).to.deep.equal(['a', 'c']);
    });
  });
});

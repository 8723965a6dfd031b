import { expect } from 'chai';

import { immediateDominators } from '../src/dominators.ts';

describe('immediateDominators', () => {
  describe('when two paths join again', () => {
    it('gives the join to the node before the split', () => {
      // 0 → a(1), 0 → b(2), a → c(3), b → c, c → d(4)
      const idom = immediateDominators(5, [[1, 2], [3], [3], [4], []]);
      expect([...idom]).to.deep.equal([0, 0, 0, 0, 3]);
    });
  });

  describe('when a node lists itself or cannot be reached', () => {
    it('ignores the self-edge and marks the unreachable node -1', () => {
      const idom = immediateDominators(4, [[1], [1, 2], [], [2]]);
      expect([...idom]).to.deep.equal([0, 0, 1, -1]);
    });
  });

  describe('when the graph is a chain of 100,000 nodes', () => {
    it('answers without overflowing the stack', () => {
      const count = 100_000;
      const successors = Array.from({ length: count }, (_, i) => (i + 1 < count ? [i + 1] : []));
      const idom = immediateDominators(count, successors);
      expect(idom[count - 1]).to.equal(count - 2);
    });
  });
});

import { fileURLToPath } from 'node:url';

import { expect } from 'chai';

import { countReverseDependencies } from '../src/reverse-dependencies.ts';
import { readSetDependencies } from '../src/set-dependencies.ts';

const OFFLINE = fileURLToPath(new URL('../offline', import.meta.url));

describe('readSetDependencies', () => {
  describe('when given the offline package set', () => {
    it('lists each derivation once with what it needs, by store name', async () => {
      const edges = await readSetDependencies(OFFLINE);
      const htop = [...edges.keys()].find((name) => name.startsWith('htop-'));
      expect(htop).to.be.a('string');
      expect(edges.get(htop!)).to.include('libc6+libgcc-s1');

      const counts = countReverseDependencies(edges);
      const most = [...counts].sort((a, b) => b[1] - a[1])[0];
      expect(most?.[0]).to.equal('libc6+libgcc-s1');
    });
  });
});

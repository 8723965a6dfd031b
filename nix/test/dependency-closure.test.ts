import { expect } from 'chai';

import { resolveClosure } from '../src/dependency-closure.ts';
import { indexPackages } from '../src/package-index.ts';
import { fakePackage } from './support/fake-package.ts';

describe('resolveClosure', () => {
  const index = indexPackages([
    fakePackage('htop', { depends: [['libc6'], ['libncursesw6']] }),
    fakePackage('libncursesw6', { depends: [['libc6'], ['libncursesw6']] }),
    fakePackage('libc6', { depends: [['libgcc-s1']] }),
    fakePackage('libgcc-s1', { depends: [['libc6'], ['nosuch', 'nothing']] }),
    fakePackage('unrelated'),
  ]);

  describe('when the roots are real packages', () => {
    it('holds every package reachable through dependencies, sorted', () => {
      const closure = resolveClosure(index, ['htop']);

      expect(closure.packages.map((pkg) => pkg.name)).to.deep.equal([
        'htop', 'libc6', 'libgcc-s1', 'libncursesw6',
      ]);
    });

    it('drops edges from a package to itself', () => {
      const closure = resolveClosure(index, ['htop']);

      expect(closure.edges.get('libncursesw6')).to.deep.equal(['libc6']);
    });

    it('reports a dependency that nothing satisfies', () => {
      const closure = resolveClosure(index, ['libc6']);

      expect(closure.unresolved).to.deep.equal([
        { from: 'libgcc-s1', alternatives: ['nosuch', 'nothing'] },
      ]);
    });
  });

  describe('when a root is not in the index', () => {
    it('lists it as unknown and resolves the others', () => {
      const closure = resolveClosure(index, ['nosuch', 'libc6']);

      expect(closure.unknownRoots).to.deep.equal(['nosuch']);
      expect(closure.packages.map((pkg) => pkg.name)).to.deep.equal(['libc6', 'libgcc-s1']);
    });
  });
});

import { expect } from 'chai';

import { dropScriptOnlyDependencies } from '../src/script-only-dependencies.ts';
import { fakePackage } from './support/fake-package.ts';

describe('dropScriptOnlyDependencies', () => {
  const table = new Map([['ca-certificates', new Set(['openssl', 'debconf'])]]);

  describe('when a package is in the table', () => {
    it('drops the entries whose alternatives are all listed', () => {
      const pkg = fakePackage('ca-certificates', {
        depends: [['openssl'], ['debconf'], ['debconf', 'cdebconf'], ['libc6']],
      });

      expect(dropScriptOnlyDependencies(pkg, table).depends).to.deep.equal([
        ['debconf', 'cdebconf'],
        ['libc6'],
      ]);
    });
  });

  describe('when a package is not in the table', () => {
    it('keeps its dependencies', () => {
      const pkg = fakePackage('curl', { depends: [['openssl']] });

      expect(dropScriptOnlyDependencies(pkg, table)).to.equal(pkg);
    });
  });
});

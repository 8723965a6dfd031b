import { expect } from 'chai';

import { chooseAlternative, indexPackages } from '../src/package-index.ts';

import { fakePackage } from './support/fake-package.ts';

describe('chooseAlternative', () => {
  const index = indexPackages([
    fakePackage('debconf'),
    fakePackage('cdebconf', { provides: ['debconf-2.0'] }),
    fakePackage('gawk', { provides: ['awk'] }),
    fakePackage('original-awk', { provides: ['awk'], priority: 'extra' }),
    fakePackage('mawk', { provides: ['awk'], priority: 'required' }),
  ]);

  describe('when an alternative is a real package', () => {
    it('picks the first real one, even after a virtual name', () => {
      expect(chooseAlternative(index, ['debconf-2.0', 'debconf'])).to.equal('debconf');
      expect(chooseAlternative(index, ['nosuch', 'gawk', 'mawk'])).to.equal('gawk');
    });
  });

  describe('when only virtual names are given', () => {
    it('picks the provider of highest Debian priority', () => {
      expect(chooseAlternative(index, ['awk'])).to.equal('mawk');
      expect(chooseAlternative(index, ['debconf-2.0'])).to.equal('cdebconf');
    });
  });

  describe('when nothing satisfies the entry', () => {
    it('returns undefined', () => {
      expect(chooseAlternative(index, ['nosuch', 'nothing'])).to.equal(undefined);
    });
  });
});

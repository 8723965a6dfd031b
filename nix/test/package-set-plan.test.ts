import { expect } from 'chai';

import { resolveClosure } from '../src/dependency-closure.ts';
import { indexPackages } from '../src/package-index.ts';
import { packageAttribute, planPackageSet } from '../src/package-set-plan.ts';
import { findStrongComponents } from '../src/strong-components.ts';
import { fakePackage } from './support/fake-package.ts';

import type { PackageSetPlan } from '../src/package-set-plan.ts';

function plan(roots: string[]): PackageSetPlan {
  const index = indexPackages([
    fakePackage('bash', { version: '5.2', depends: [['libc6']] }),
    fakePackage('libc6', { depends: [['libgcc-s1']] }),
    fakePackage('libgcc-s1', { depends: [['libc6']] }),
    fakePackage('0ad', { depends: [['libc6']] }),
    fakePackage('ca-certificates'),
  ]);
  const closure = resolveClosure(index, roots);
  const components = findStrongComponents(
    closure.packages.map((pkg) => pkg.name),
    closure.edges,
  );
  const fixups = new Map([['bash', 'ln -s bash sh'], ['libgcc-s1', 'true']]);
  const aliases = new Map([['bashInteractive', 'bash'], ['cacert', 'ca-certificates']]);
  return planPackageSet(closure, components, fixups, aliases);
}

describe('planPackageSet', () => {
  describe('when packages form a cycle', () => {
    it('builds them as one derivation held by the first member', () => {
      const cycle = plan(['bash']).derivations.find((d) => d.attribute === 'libc6');

      expect(cycle?.members.map((pkg) => pkg.name)).to.deep.equal(['libc6', 'libgcc-s1']);
      expect(cycle?.name).to.equal('libc6+libgcc-s1');
      expect(cycle?.fixup).to.equal('true');
    });

    it('points the other members at that derivation', () => {
      expect(plan(['bash']).cycleMembers).to.deep.equal([['libgcc-s1', 'libc6']]);
    });

    it('makes dependents depend on the cycle through its first member', () => {
      const bash = plan(['bash']).derivations.find((d) => d.attribute === 'bash');

      expect(bash?.dependencies).to.deep.equal(['libc6']);
      expect(bash?.name).to.equal('bash-5.2');
      expect(bash?.fixup).to.equal('ln -s bash sh');
    });
  });

  describe('when an alias target is not in the closure', () => {
    it('leaves the alias out', () => {
      expect(plan(['bash']).aliases).to.deep.equal([['bashInteractive', 'bash']]);
      expect(plan(['bash', 'ca-certificates']).aliases).to.deep.equal([
        ['bashInteractive', 'bash'],
        ['cacert', 'ca-certificates'],
      ]);
    });
  });

  describe('when a Debian name starts with a digit', () => {
    it('puts it under an underscore-prefixed attribute', () => {
      expect(packageAttribute('0ad')).to.equal('_0ad');
      expect(plan(['0ad']).derivations.map((d) => d.attribute)).to.include('_0ad');
    });
  });
});

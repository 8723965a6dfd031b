import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { renderPackageSet } from '../src/package-set-expression.ts';
import { evaluate } from './support/nix.ts';
import { fakePackage } from './support/fake-package.ts';

import type { PackageSetPlan } from '../src/package-set-plan.ts';

const PLAN: PackageSetPlan = {
  derivations: [
    {
      attribute: 'libstdc++6',
      name: 'libstdc++6-12.2.0-14',
      description: 'GNU "Standard" C++ ${library}',
      members: [fakePackage('libstdc++6', { version: '1:12~rc1' })],
      dependencies: ['_0ad'],
      fixup: 'echo "${HOME}" > /dev/null\nln -s a b',
    },
    {
      attribute: '_0ad',
      name: '0ad-1.0',
      description: 'a game',
      members: [fakePackage('0ad')],
      dependencies: [],
      fixup: '',
    },
  ],
  cycleMembers: [['libdb5.3', '_0ad']],
  aliases: [['game', '_0ad']],
};

describe('renderPackageSet', () => {
  describe('when rendered twice from the same plan', () => {
    it('gives byte-identical text', () => {
      expect(renderPackageSet(PLAN, 'ab')).to.equal(renderPackageSet(PLAN, 'ab'));
    });
  });

  describe('when Nix evaluates the expression', () => {
    let folder: string;

    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'nixport-expression-'));
      await writeFile(join(folder, 'default.nix'), renderPackageSet(PLAN, 'ab'));
    });

    after(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('has every package, cycle member and alias as an attribute', async () => {
      const names = await evaluate(`builtins.attrNames (import ${folder} { })`);

      expect(names).to.deep.equal(['_0ad', 'game', 'libdb5.3', 'libstdc++6']);
    });

    it('keeps descriptions and fixups verbatim', async () => {
      const set = `(import ${folder} { })`;
      const value = await evaluate(
        `{ d = ${set}."libstdc++6".meta.description; f = ${set}."libstdc++6".drvAttrs.fixup; }`,
      );

      expect(value).to.deep.equal({
        d: 'GNU "Standard" C++ ${library}',
        f: 'echo "${HOME}" > /dev/null\nln -s a b\n',
      });
    });
  });
});

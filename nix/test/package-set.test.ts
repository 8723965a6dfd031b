import { expect } from 'chai';
import {
  link, mkdir, mkdtemp, readdir, readFile, readlink, rm,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_PACKAGES } from '../src/default-packages.ts';
import {
  generatePackageSet,
  UnknownDebianPackages,
} from '../src/generate-package-set.ts';
import { ensurePackageSet, OFFLINE } from './support/package-set.ts';
import { evaluate, nix } from './support/nix.ts';

/** Generation resolves ~90 packages and may download their .debs. */
const GENERATION_MS = 300_000;

describe('generatePackageSet', function () {
  this.timeout(GENERATION_MS);

  before(async () => {
    await ensurePackageSet();
  });

  describe('when given the default packages', () => {
    it('offers each of them and the nixpkgs-style names', async () => {
      const names = await evaluate(`builtins.attrNames (import ${OFFLINE} { })`);

      expect(names).to.include.members([
        ...DEFAULT_PACKAGES,
        'bashInteractive', 'cacert', 'iana-etc', 'libc6', 'mawk',
      ]);
    });

    it('builds libc6 and libgcc-s1, a dependency cycle, as one derivation', async () => {
      const same = await evaluate(
        `let s = import ${OFFLINE} { }; in s.libc6.drvPath == s.libgcc-s1.drvPath`,
      );

      expect(same).to.equal(true);
    });
  });

  describe('when run again into another folder', () => {
    let folder: string;

    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'nixport-set-'));
      await mkdir(join(folder, 'debs'));
      for (const file of await readdir(join(OFFLINE, 'debs'))) {
        await link(join(OFFLINE, 'debs', file), join(folder, 'debs', file));
      }
    });

    after(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('writes a byte-identical default.nix without downloading', async () => {
      const result = await generatePackageSet({ out: folder, names: DEFAULT_PACKAGES });

      expect(result.downloaded).to.deep.equal([]);
      expect(await readFile(join(folder, 'default.nix'), 'utf8')).to.equal(
        await readFile(join(OFFLINE, 'default.nix'), 'utf8'),
      );
    });
  });

  describe('when a name is not in apt\'s index', () => {
    it('fails naming it, before downloading anything', async () => {
      const available = async (): Promise<string> => 'Package: a\nVersion: 1\n';

      const failure = await generatePackageSet({
        out: '/nonexistent',
        names: ['nosuch'],
        available,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).to.be.instanceOf(UnknownDebianPackages);
      expect((failure as UnknownDebianPackages).names).to.deep.equal(['nosuch']);
    });
  });
});

describe('a Debian package derivation', function () {
  this.timeout(GENERATION_MS);

  let outputs: Record<string, string>;

  before(async () => {
    await ensurePackageSet();
    const names = ['bash', 'cacert', 'htop', 'mawk'];
    const paths = await nix('nix-build', [
      OFFLINE, '--no-out-link', ...names.flatMap((name) => ['-A', name]),
    ]);
    const lines = paths.trim().split('\n');
    outputs = Object.fromEntries(
      names.map((name, i) => [name, lines[i] as string]),
    );
  });

  describe('when built', () => {
    it('lists its dependencies, which Nix keeps as runtime references', async () => {
      const htop = outputs.htop as string;
      const listed = await readFile(
        join(htop, 'nix-support', 'propagated-runtime-deps'),
        'utf8',
      );
      const references = await nix('nix-store', ['--query', '--references', htop]);

      const paths = listed.trim().split('\n').sort();
      expect(paths).to.have.length.above(2);
      expect(references.trim().split('\n').sort()).to.deep.equal(paths);
    });

    it('stands in for the maintainer scripts that were not run', async () => {
      const bundle = await readFile(
        join(outputs.cacert as string, 'etc', 'ssl', 'certs', 'ca-certificates.crt'),
        'utf8',
      );

      expect(bundle.match(/BEGIN CERTIFICATE/g)).to.have.length.above(100);
      const { bash, mawk } = outputs as { bash: string; mawk: string };
      expect(await readlink(join(bash, 'bin', 'sh'))).to.equal('bash');
      expect(await readlink(join(mawk, 'usr', 'bin', 'awk'))).to.equal('mawk');
    });
  });
});

import { expect } from 'chai';
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { assembleRoot, runInRoot } from './support/image-root.ts';
import { IMAGE_EXPRESSION, imageArguments, nix } from './support/nix.ts';
import { ensurePackageSet, OFFLINE } from './support/package-set.ts';

/** Building a cold image unpacks up to ~90 .debs. */
const BUILD_MS = 300_000;

async function check(
  source: string,
  packages: string[],
  system?: string,
): Promise<unknown> {
  const args = imageArguments(source, packages, system);
  const out = await nix('nix-instantiate', [
    '--eval', '--strict', '--json', IMAGE_EXPRESSION, '-A', 'check', ...args,
  ]);
  return JSON.parse(out);
}

async function buildImage(packages: string[]): Promise<string> {
  const out = await nix('nix-build', [
    IMAGE_EXPRESSION, '-A', 'image', '--no-out-link',
    ...imageArguments(OFFLINE, packages),
  ]);
  return out.trim();
}

/** Store paths of a path's runtime closure, sorted. */
async function closureOf(paths: string[]): Promise<string[]> {
  const out = await nix('nix', ['path-info', '--recursive', ...paths]);
  return out.trim().split('\n').sort();
}

describe('image.nix', function () {
  this.timeout(BUILD_MS);

  before(async () => {
    await ensurePackageSet();
  });

  describe('when check is asked about names the set lacks', () => {
    it('lists them as unknown instead of failing', async () => {
      expect(await check(OFFLINE, ['htop', 'nosuchpackage', 'a.b', ''])).to.deep.equal({
        unknown: ['nosuchpackage', 'a.b', ''],
        refused: [],
      });
    });
  });

  describe('when a name differs from an attribute only in case', () => {
    it('resolves it', async () => {
      expect(await check(OFFLINE, ['bashinteractive', 'CACERT'])).to.deep.equal({
        unknown: [],
        refused: [],
      });
    });
  });

  describe('when the system is one the packages are not built for', () => {
    it('refuses them, saying why', async () => {
      expect(await check(OFFLINE, ['htop'], 'aarch64-linux')).to.deep.equal({
        unknown: [],
        refused: [{ name: 'htop', reason: 'not available on aarch64-linux' }],
      });
    });
  });

  describe('when the set nests attributes and uses nixpkgs naming', () => {
    let folder: string;

    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'nixport-fake-set-'));
      const fake = (name: string, meta: string): string =>
        `derivation { name = "${name}"; inherit system; builder = "none"; }` +
        ` // { meta = ${meta}; }`;
      await writeFile(join(folder, 'default.nix'), [
        '{ system }: {',
        `  xorg = { xev = ${fake('xev', '{ }')}; };`,
        `  _1password = ${fake('1password', '{ }')};`,
        `  "libdb5.3" = ${fake('libdb', '{ }')};`,
        `  old = ${fake('old', '{ broken = true; }')};`,
        '  gone = throw "gone was removed";',
        '  notADerivation = 42;',
        '}',
      ].join('\n'));
    });

    after(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('walks dotted names and maps a leading digit to an underscore', async () => {
      const names = ['xorg.xev', '1password', 'libdb5.3', 'xorg.nosuch'];

      expect(await check(folder, names)).to.deep.equal({
        unknown: ['xorg.nosuch'],
        refused: [],
      });
    });

    it('treats throwing attributes and non-derivations as unknown', async () => {
      expect(await check(folder, ['gone', 'notADerivation', 'xorg'])).to.deep.equal({
        unknown: ['gone', 'notADerivation', 'xorg'],
        refused: [],
      });
    });

    it('refuses a package marked as broken', async () => {
      expect(await check(folder, ['old'])).to.deep.equal({
        unknown: [],
        refused: [{ name: 'old', reason: 'marked as broken' }],
      });
    });
  });

  describe('when the image holds htop, bashInteractive and coreutils', () => {
    const packages = ['htop', 'bashInteractive', 'coreutils'];
    let farm: string;
    let root: string;

    before(async () => {
      farm = await buildImage(packages);
      root = await assembleRoot(farm);
    });

    after(async () => {
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('runs htop and bash from a root laid out like a container', async () => {
      const run = (...command: string[]) => runInRoot(root, command);

      expect(await run('/usr/bin/htop', '--version')).to.match(/^htop 3\./);
      expect(await run('/bin/bash', '-c', 'echo ok')).to.equal('ok\n');
      expect(await run('/bin/sh', '-c', 'ls /usr/bin/htop')).to.equal(
        '/usr/bin/htop\n',
      );
    });

    it('links files to the store and copies Debian\'s symlinks', async () => {
      expect(await readlink(join(farm, 'usr', 'bin', 'htop'))).to.match(
        /^\/nix\/store\/[a-z0-9]{32}-htop-[^/]+\/usr\/bin\/htop$/,
      );
      expect(await readlink(join(farm, 'lib64', 'ld-linux-x86-64.so.2'))).to.equal(
        '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
      );
    });

    it('holds no nix-support files', async () => {
      const entries = await readdir(farm, { recursive: true });

      const found = entries.filter((entry) => entry.endsWith('nix-support'));

      expect(found).to.deep.equal([]);
    });

    it('references the whole closure, cacert and iana-etc too', async () => {
      const roots = (await nix('nix-build', [
        OFFLINE, '--no-out-link',
        ...[...packages, 'cacert', 'iana-etc'].flatMap((name) => ['-A', name]),
      ])).trim().split('\n');

      const expected = [...(await closureOf(roots)), farm].sort();

      expect(await closureOf([farm])).to.deep.equal(expected);
    });
  });

  describe('when the image holds git, python3, curl and jq', () => {
    let root: string;

    before(async () => {
      root = await assembleRoot(await buildImage(['git', 'python3', 'curl', 'jq']));
    });

    after(async () => {
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('runs each of them', async () => {
      const run = (...command: string[]) => runInRoot(root, command);

      expect(await run('/usr/bin/git', '--version')).to.match(/^git version 2/);
      expect(await run('/usr/bin/python3', '-c', 'print(1)')).to.equal('1\n');
      expect(await run('/usr/bin/curl', '--version')).to.match(/^curl 7\./);
      expect(await run('/usr/bin/jq', '--version')).to.match(/^jq-1\./);
    });
  });

  describe('when asked to build an image with an unknown name', () => {
    it('fails, naming it', async () => {
      const failure = await buildImage(['htop', 'nosuchpackage']).then(
        () => undefined,
        (error: unknown) => error as Error,
      );

      expect(failure?.message).to.include('unknown nosuchpackage');
    });
  });
});

import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { buildKey, parseImageName } from '@nixport/shared';

import { startStack, type Stack } from '../../scripts/stack.ts';
import { startBuilder, type BuilderProcess } from '../support/builder-process.ts';
import { registryClient, STATUS_PATH } from '../support/registry-client.ts';
import { commitAll, git, writeTinySet, type TinyContents } from '../support/tiny-set.ts';

describe('a git package source', function () {
  this.timeout(120_000);
  let dir: string;
  let repo: string;
  let stack: Stack;
  let second: BuilderProcess;
  let first: string;
  const { builds, layers, pull, status } = registryClient(() => ({
    gatewayUrl: stack.gatewayUrl,
    builderUrls: [stack.builderUrl, second.url],
  }));
  const statusOf = (name: string, revision: string) => {
    const request = { ...parseImageName(name), source: `git:file://${repo}`, revision };
    return status(`/builds/${buildKey(request)}`);
  };
  const change = async (contents: TinyContents) => {
    await writeTinySet(repo, contents);
    return commitAll(repo, `greeting ${contents.greeting}, other ${contents.other}`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-git-'));
    repo = join(dir, 'repo');
    first = await change({ greeting: 'hello', other: 'one' });
    const env = { NIXPORT_PACKAGE_SOURCE: `git:file://${repo}#main` };
    stack = await startStack({ dataDir: join(dir, 'data'), env });
    // Two builders share the queue, the caches and the store.
    second = await startBuilder({
      ...env,
      REDIS_URL: stack.redisUrl,
      NIXPORT_STORE_DIR: join(dir, 'data', 'store'),
    });
  });

  after(async () => {
    await second?.stop();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when an image is pulled by commit, then again with the repository gone', () => {
    it('serves the second pull without git or Nix', async () => {
      const built = await pull('greeting', first);
      expect(built.status).to.equal(200);
      const before = await builds();

      await rename(repo, `${repo}.away`);
      try {
        expect((await pull('greeting', first)).digest).to.equal(built.digest);
      } finally {
        await rename(`${repo}.away`, repo);
      }
      expect(await builds()).to.equal(before);
    });
  });

  describe('when a branch names a commit already built', () => {
    it('serves the image of that commit without a build', async () => {
      const before = await builds();
      const byBranch = await pull('greeting', 'main');
      expect(byBranch.digest).to.equal((await pull('greeting', first)).digest);
      expect(await pull('greeting', 'latest')).to.deep.equal(byBranch);
      expect(await builds()).to.equal(before);
    });
  });

  describe('when the branch moves but nothing in the image changed', () => {
    it('evaluates again and reuses the image without packing', async () => {
      const old = await pull('greeting', 'main');
      await change({ greeting: 'hello', other: 'two' });
      const [buildsBefore, layersBefore] = [await builds(), await layers()];

      const moved = await pull('greeting', 'main');
      expect(moved.digest).to.equal(old.digest);
      expect(await builds()).to.equal(buildsBefore + 1);
      expect(await layers()).to.equal(layersBefore);
    });
  });

  describe('when the branch moves and a package of the image changed', () => {
    it('builds a new image, reports its progress, and keeps the old commit\'s', async () => {
      const old = await pull('greeting', first);
      const commit = await change({ greeting: 'bonjour', other: 'two' });
      const moved = await pull('greeting', 'main');
      expect(moved.status).to.equal(200);
      expect(moved.digest).not.to.equal(old.digest);
      expect((await pull('greeting', first)).digest).to.equal(old.digest);

      const { state, progress, log } = await statusOf('greeting', commit);
      expect(state).to.equal('completed');
      expect(progress).to.deep.equal({ phase: 'uploading' });
      const phases = log.map((line) => line.split(' ').slice(1).join(' '));
      const packed = `packing layer ${moved.layers} of ${moved.layers}`;
      for (const phase of ['evaluating', 'realising', packed, 'uploading']) {
        expect(phases).to.include(phase);
      }
    });
  });

  describe('when two builders build revisions that give the same image at once', () => {
    it('realises and packs it once', async () => {
      const commit = await change({ greeting: 'twins', other: 'two', delaySeconds: 2 });
      await git(repo, 'checkout', '-q', '-b', 'twin');
      const twin = await commitAll(repo, 'same tree, another commit');
      await git(repo, 'checkout', '-q', 'main');
      const before = await layers();

      const [a, b] = await Promise.all([pull('greeting', commit), pull('greeting', twin)]);
      expect(a.status).to.equal(200);
      expect(b.digest).to.equal(a.digest);
      expect(await layers()).to.equal(before + a.layers);
    });
  });

  describe('when a tag names no branch, tag or commit of the repository', () => {
    it('answers 404 MANIFEST_UNKNOWN for a branch, and for a commit without retrying', async () => {
      const branch = await pull('greeting', 'nosuchbranch');
      expect([branch.status, branch.message]).to.deep.equal([
        404, 'tag "nosuchbranch" not found: the git repository has no branch or tag "nosuchbranch"',
      ]);
      const before = await builds();
      const commit = await pull('greeting', '0'.repeat(40));
      expect(commit.status).to.equal(404);
      expect(commit.message).to.include('0'.repeat(40)).and.include('Cannot find Git revision');
      expect(await builds()).to.equal(before + 1);
    });
  });

  describe('when a package name is misspelt', () => {
    it('names the close match in the message', async () => {
      const pulled = await pull('greetin/nosuchpackage', 'main');
      expect(pulled.status).to.equal(404);
      expect(pulled.message).to.equal(
        'packages not found in the package set: greetin (did you mean greeting?), nosuchpackage',
      );
    });
  });

  describe('when the package set refuses to evaluate a package', () => {
    it('answers 404 with the set\'s own reason', async () => {
      const pulled = await pull('unfreetool', 'main');
      expect(pulled.status).to.equal(404);
      expect(pulled.message).to.include('unfreetool').and.include('has an unfree license');
    });
  });

  describe('when a package fails to build', () => {
    it('links the build log, which shows Nix\'s output and one attempt', async () => {
      const pulled = await pull('failing', 'main');
      expect(pulled.status).to.equal(500);
      const path = STATUS_PATH.exec(pulled.message)?.[0];
      expect(path, pulled.message).to.be.a('string');

      const { state, attempts, log } = await status(path!);
      expect(state).to.equal('failed');
      expect(attempts).to.equal(1);
      expect(log.join('\n'))
        .to.include('the build of failing broke')
        .and.include('will not retry');

      const page = await (await fetch(`${stack.gatewayUrl}${path}`)).text();
      expect(page).to.include('<pre>').and.include('the build of failing broke');
    });
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  DependencyUnavailable,
  resolveTag,
  TagNotFound,
  type PackageSource,
} from '../src/index.ts';
import {
  commitAll,
  git,
  serveTarballs,
  type TarballServer,
} from '../../test/support/tiny-set.ts';

describe('resolveTag', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-tags-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('with a git source', () => {
    let repo: string;
    let source: PackageSource;
    let first: string;
    let second: string;

    before(async () => {
      repo = join(dir, 'repo');
      first = await commitAll(repo, 'first');
      await git(repo, 'tag', '-a', 'v1', '-m', 'release one');
      await git(repo, 'checkout', '-q', '-b', 'next');
      second = await commitAll(repo, 'second');
      await git(repo, 'checkout', '-q', 'main');
      source = { kind: 'git', url: `file://${repo}`, defaultRef: 'HEAD' };
    });

    it('resolves latest, a branch and an annotated tag to their commits', async () => {
      expect((await resolveTag(source, 'latest')).revision).to.equal(first);
      expect((await resolveTag(source, 'next')).revision).to.equal(second);
      const tagged = await resolveTag(source, 'v1');
      expect(tagged).to.deep.equal({
        revision: first,
        exact: true,
        fetch: { kind: 'git', url: `file://${repo}`, rev: first },
      });
    });

    it('resolves latest to the configured default ref', async () => {
      const next = { ...source, defaultRef: 'next' } as PackageSource;
      expect((await resolveTag(next, 'latest')).revision).to.equal(second);
    });

    it('takes a commit tag as it is, without asking the repository', async () => {
      const gone = { ...source, url: `file://${dir}/no-such-repo` } as PackageSource;
      expect((await resolveTag(gone, second)).revision).to.equal(second);
    });

    it('answers TagNotFound for a branch the repository lacks', async () => {
      const error = await resolveTag(source, 'nosuchbranch').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TagNotFound);
    });

    it('answers DependencyUnavailable when the repository cannot be read', async () => {
      const gone = { ...source, url: `file://${dir}/no-such-repo` } as PackageSource;
      const error = await resolveTag(gone, 'main').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DependencyUnavailable);
    });
  });

  describe('with a channel tarball source', () => {
    let server: TarballServer;
    let source: PackageSource;

    before(async () => {
      await writeFile(join(dir, 'stable.tar.gz'), 'one');
      server = await serveTarballs(dir);
      const url = `${server.url}/{channel}.tar.gz`;
      source = { kind: 'tarball', url, defaultChannel: 'stable' };
    });

    after(() => server.stop());

    it('fills the default channel in for latest, and changes revision with the content', async () => {
      const before = await resolveTag(source, 'latest');
      expect(before.fetch).to.deep.equal({ kind: 'tarball', url: `${server.url}/stable.tar.gz` });
      expect(before.exact).to.equal(false);
      expect((await resolveTag(source, 'stable')).revision).to.equal(before.revision);

      await writeFile(join(dir, 'stable.tar.gz'), 'two');
      expect((await resolveTag(source, 'latest')).revision).not.to.equal(before.revision);
    });

    it('takes a commit tag as an exact revision, without asking the server', async () => {
      const commit = 'c'.repeat(40);
      const offline = { ...source, url: 'http://127.0.0.1:9/{channel}.tar.gz' } as PackageSource;
      expect(await resolveTag(offline, commit)).to.deep.equal({
        revision: commit,
        exact: true,
        fetch: { kind: 'tarball', url: `http://127.0.0.1:9/${commit}.tar.gz` },
      });
    });

    it('answers TagNotFound for a channel the server lacks', async () => {
      const error = await resolveTag(source, 'nosuchchannel').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TagNotFound);
      expect((error as Error).message).to.include('nosuchchannel');
    });
  });
});

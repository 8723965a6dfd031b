import { execFile } from 'node:child_process';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { expect } from 'chai';

import {
  buildKey,
  describeSource,
  parseImageName,
  parsePackageSource,
  resolveTag,
} from '@nixport/shared';

import { startStack, type Stack } from '../../scripts/stack.ts';
import { metricSum } from '../support/commands.ts';
import {
  commitAll,
  git,
  packTarball,
  serveTarballs,
  writeTinySet,
  type TarballServer,
} from '../support/tiny-set.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const NIX_TIMEOUT_SECONDS = 5;

interface Pulled {
  status: number;
  digest: string | null;
  message: string;
  layers: number;
}

interface BuildStatus {
  state: string;
  attempts: number;
  log: string[];
}

/** Tools for one running stack. */
function client(stack: () => Stack) {
  const metric = (name: string, labels?: Record<string, string>) =>
    metricSum(stack().builderUrl, name, labels);
  return {
    builds: () => metric('nixport_builds_total'),
    layers: () => metric('nixport_layers_total'),
    async pull(name: string, tag: string): Promise<Pulled> {
      const url = `${stack().gatewayUrl}/v2/${name}/manifests/${tag}`;
      const res = await fetch(url, { headers: { Accept: OCI_MANIFEST } });
      const body = (await res.json()) as {
        layers?: unknown[];
        errors?: { message: string }[];
      };
      return {
        status: res.status,
        digest: res.headers.get('docker-content-digest'),
        message: body.errors?.[0]?.message ?? '',
        layers: body.layers?.length ?? 0,
      };
    },
    async status(path: string): Promise<BuildStatus> {
      const res = await fetch(`${stack().gatewayUrl}${path}`, {
        headers: { Accept: 'application/json' },
      });
      expect(res.status, path).to.equal(200);
      return (await res.json()) as BuildStatus;
    },
  };
}

describe('a git package source', function () {
  this.timeout(120_000);
  let dir: string;
  let repo: string;
  let stack: Stack;
  let first: string;
  const { builds, layers, pull, status } = client(() => stack);
  const statusOf = (name: string, revision: string) => {
    const request = { ...parseImageName(name), source: `git:file://${repo}`, revision };
    return status(`/builds/${buildKey(request)}`);
  };
  const change = async (contents: { greeting: string; other: string }) => {
    await writeTinySet(repo, contents);
    return commitAll(repo, `greeting ${contents.greeting}, other ${contents.other}`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-git-'));
    repo = join(dir, 'repo');
    first = await change({ greeting: 'hello', other: 'one' });
    stack = await startStack({
      dataDir: join(dir, 'data'),
      env: {
        NIXPORT_PACKAGE_SOURCE: `git:file://${repo}#main`,
        NIXPORT_BUILDER_CONCURRENCY: '2',
      },
    });
  });

  after(async () => {
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

      const { state, log } = await statusOf('greeting', commit);
      expect(state).to.equal('completed');
      const phases = log.map((line) => line.split(' ').slice(1).join(' '));
      for (const phase of ['evaluating', 'realising', `packing layer ${moved.layers} of ${moved.layers}`, 'uploading']) {
        expect(phases).to.include(phase);
      }
    });
  });

  describe('when two revisions give the same image at once', () => {
    it('realises and packs it once', async () => {
      const commit = await change({ greeting: 'twins', other: 'two' });
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
      const path = /\/builds\/[0-9a-f]{64}/.exec(pulled.message)?.[0];
      expect(path, pulled.message).to.be.a('string');

      const { state, attempts, log } = await status(path!);
      expect(state).to.equal('failed');
      expect(attempts).to.equal(1);
      expect(log.join('\n')).to.include('the build of failing broke').and.include('will not retry');

      const page = await (await fetch(`${stack.gatewayUrl}${path}`)).text();
      expect(page).to.include('<pre>').and.include('the build of failing broke');
    });
  });
});

describe('a channel tarball package source', function () {
  this.timeout(120_000);
  let dir: string;
  let server: TarballServer;
  let stack: Stack;
  const { builds, layers, pull, status } = client(() => stack);
  const publish = async (channel: string, greeting: string, other = 'one') => {
    const set = await writeTinySet(join(dir, channel), { greeting, other });
    await packTarball(set, join(dir, 'public', `${channel}.tar.gz`));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-tarball-'));
    await promisify(execFile)('mkdir', ['-p', join(dir, 'public')]);
    await publish('stable', 'stable');
    await publish('unstable', 'unstable');
    server = await serveTarballs(join(dir, 'public'));
    stack = await startStack({
      dataDir: join(dir, 'data'),
      env: {
        NIXPORT_PACKAGE_SOURCE: `tarball:${server.url}/{channel}.tar.gz#stable`,
        NIXPORT_NIX_TIMEOUT: String(NIX_TIMEOUT_SECONDS),
      },
    });
  });

  after(async () => {
    await stack?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a tag names a channel', () => {
    it('builds from that channel; latest is the default channel', async () => {
      const latest = await pull('greeting', 'latest');
      expect(latest.status).to.equal(200);
      expect((await pull('greeting', 'stable')).digest).to.equal(latest.digest);
      const unstable = await pull('greeting', 'unstable');
      expect(unstable.status).to.equal(200);
      expect(unstable.digest).not.to.equal(latest.digest);
      expect((await pull('greeting', 'nosuchchannel')).status).to.equal(404);
    });
  });

  describe('when the channel is republished with the image\'s packages unchanged', () => {
    it('evaluates again and reuses the image without packing', async () => {
      const old = await pull('greeting', 'latest');
      await publish('stable', 'stable', 'two');
      const [buildsBefore, layersBefore] = [await builds(), await layers()];
      expect((await pull('greeting', 'latest')).digest).to.equal(old.digest);
      expect(await builds()).to.equal(buildsBefore + 1);
      expect(await layers()).to.equal(layersBefore);
    });
  });

  describe('when the download fails for a whole attempt', () => {
    it('retries the build after a pause and succeeds', async () => {
      await publish('flaky', 'flaky');
      // Nix itself tries a download 5 times (download-attempts).
      server.failNext('flaky.tar.gz', 5);
      const pulled = await pull('greeting', 'flaky');
      expect(pulled.status).to.equal(200);
      expect(server.gets.get('flaky.tar.gz')).to.equal(6);

      const source = parsePackageSource(`tarball:${server.url}/{channel}.tar.gz#stable`);
      const { revision } = await resolveTag(source, 'flaky');
      const key = buildKey({ ...parseImageName('greeting'), source: describeSource(source), revision });
      const log = (await status(`/builds/${key}`)).log.join('\n');
      expect(log).to.include('will retry after a pause').and.include('attempt 2 of 3 started');
    });
  });

  describe('when a Nix call outlives the Nix timeout', () => {
    it('fails the build once, saying so, and stops what Nix started', async () => {
      const before = await metricSum(stack.builderUrl, 'nixport_builds_total', { outcome: 'failed' });
      const pulled = await pull('sleepy', 'latest');
      expect(pulled.status).to.equal(500);
      expect(pulled.message).to.include(`${NIX_TIMEOUT_SECONDS} s Nix timeout`);
      const after = await metricSum(stack.builderUrl, 'nixport_builds_total', { outcome: 'failed' });
      expect(after).to.equal(before + 1);

      const path = /\/builds\/[0-9a-f]{64}/.exec(pulled.message)![0];
      expect((await status(path)).log.join('\n')).to.include('will not retry');
      const { stdout } = await promisify(execFile)('ps', ['-eo', 'args']);
      expect(stdout.split('\n')).not.to.include('sleep 67');
    });
  });
});

describe('a local path package source', function () {
  this.timeout(60_000);
  let dir: string;
  let stack: Stack;
  const { builds, layers, pull } = client(() => stack);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-path-'));
    const set = await writeTinySet(join(dir, 'set'), { greeting: 'hello', other: 'one' });
    stack = await startStack({
      dataDir: join(dir, 'data'),
      env: { NIXPORT_PACKAGE_SOURCE: `path:${set}`, NIXPORT_REEVALUATE_AFTER: '1' },
    });
  });

  after(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a pull comes after NIXPORT_REEVALUATE_AFTER', () => {
    it('evaluates the set again and reuses the unchanged image', async () => {
      const first = await pull('greeting', 'latest');
      expect((await pull('greeting', 'latest')).digest).to.equal(first.digest);
      const [buildsBefore, layersBefore] = [await builds(), await layers()];
      await new Promise((resolve) => setTimeout(resolve, 1100));

      expect((await pull('greeting', 'latest')).digest).to.equal(first.digest);
      expect(await builds()).to.equal(buildsBefore + 1);
      expect(await layers()).to.equal(layersBefore);
    });
  });

  describe('when a build status page names no known build', () => {
    it('answers 404 MANIFEST_UNKNOWN', async () => {
      for (const key of ['f'.repeat(64), 'not-a-key']) {
        const res = await fetch(`${stack.gatewayUrl}/builds/${key}`);
        expect(res.status).to.equal(404);
        const body = (await res.json()) as { errors: { code: string }[] };
        expect(body.errors[0]!.code).to.equal('MANIFEST_UNKNOWN');
      }
    });
  });
});

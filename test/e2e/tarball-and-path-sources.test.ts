import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
import { registryClient, STATUS_PATH } from '../support/registry-client.ts';
import {
  packTarball,
  serveTarballs,
  writeTinySet,
  type TarballServer,
} from '../support/tiny-set.ts';

const NIX_TIMEOUT_SECONDS = 5;

describe('a channel tarball package source', function () {
  this.timeout(120_000);
  let dir: string;
  let server: TarballServer;
  let stack: Stack;
  const { builds, layers, pull, status } = registryClient(() => ({
    gatewayUrl: stack.gatewayUrl,
    builderUrls: [stack.builderUrl],
  }));
  const publish = async (channel: string, greeting: string, other = 'one') => {
    const set = await writeTinySet(join(dir, channel), { greeting, other });
    await packTarball(set, join(dir, 'public', `${channel}.tar.gz`));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-tarball-'));
    await mkdir(join(dir, 'public'), { recursive: true });
    await publish('stable', 'stable');
    await publish('unstable', 'unstable');
    server = await serveTarballs(join(dir, 'public'));
    stack = await startStack({
      dataDir: join(dir, 'data'),
      env: {
        NIXPORT_PACKAGE_SOURCE: `tarball:${server.url}/{channel}.tar.gz#stable`,
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
      const request = { ...parseImageName('greeting'), source: describeSource(source), revision };
      const key = buildKey(request);
      const log = (await status(`/builds/${key}`)).log.join('\n');
      expect(log).to.include('will retry after a pause').and.include('attempt 2 of 3 started');
    });
  });
});

describe('a local path package source', function () {
  this.timeout(60_000);
  let dir: string;
  let stack: Stack;
  const { builds, layers, pull, status } = registryClient(() => ({
    gatewayUrl: stack.gatewayUrl,
    builderUrls: [stack.builderUrl],
  }));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-path-'));
    const set = await writeTinySet(join(dir, 'set'), { greeting: 'hello', other: 'one' });
    stack = await startStack({
      dataDir: join(dir, 'data'),
      env: {
        NIXPORT_PACKAGE_SOURCE: `path:${set}`,
        NIXPORT_REEVALUATE_AFTER: '1',
        NIXPORT_NIX_TIMEOUT: String(NIX_TIMEOUT_SECONDS),
      },
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

  describe('when a Nix call outlives the Nix timeout', () => {
    it('fails the build once, saying so, and stops what Nix started', async () => {
      const failed = () =>
        metricSum(stack.builderUrl, 'nixport_builds_total', { outcome: 'failed' });
      const before = await failed();
      const pulled = await pull('sleepy', 'latest');
      expect(pulled.status).to.equal(500);
      expect(pulled.message).to.include(`${NIX_TIMEOUT_SECONDS} s Nix timeout`);
      const after = await failed();
      expect(after).to.equal(before + 1);

      const path = STATUS_PATH.exec(pulled.message)![0];
      expect((await status(path)).log.join('\n')).to.include('will not retry');
      const { stdout } = await promisify(execFile)('ps', ['-eo', 'args']);
      expect(stdout.split('\n')).not.to.include('sleep 67');
    });
  });
});

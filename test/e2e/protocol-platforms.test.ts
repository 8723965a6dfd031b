/**
 * The registry protocol with several architectures configured: the image
 * index, its platform entries and how clients choose from it, in raw
 * HTTP against a live gateway. Each `it` names the rule it checks.
 */
import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { run } from '../support/commands.ts';
import { ARM64_BUILDS_ENV, writePlatformSet } from '../support/platform-set.ts';
import { rawRequest } from '../support/raw-http.ts';
import { DOCKER, firstError, OCI } from '../support/registry-protocol.ts';
import { useStack } from '../support/stack-fixture.ts';

describe('the registry protocol with several architectures', function () {
  this.timeout(180_000);
  let stack: Stack;
  let host: string;
  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${stack.gatewayUrl}${path}`, { headers });
  const configOf = async (name: string, digest: string) => {
    const manifest = await get(`/v2/${name}/manifests/${digest}`);
    return (await get(`/v2/${name}/blobs/${manifest.json.config.digest}`)).json;
  };

  useStack('nixport-platforms-', (started) => ({ stack, host } = started), async (dir) => {
    const set = await writePlatformSet(join(dir, 'set'), 0);
    return {
      env: {
        NIXPORT_PACKAGE_SOURCE: `path:${set}`,
        NIXPORT_ARCHITECTURES: 'amd64,arm64',
        ...ARM64_BUILDS_ENV,
      },
    };
  });

  describe('when every configured platform can build the image', () => {
    it('serves an OCI index with one entry per platform', async () => {
      const res = await get('/v2/greeting/manifests/latest', {
        Accept: `${OCI.index}, ${OCI.manifest}`,
      });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal(OCI.index);
      const platforms = res.json.manifests.map((m: { platform: object }) => m.platform);
      expect(platforms).to.deep.equal([
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux', variant: 'v8' },
      ]);
      for (const entry of res.json.manifests) {
        expect(entry.mediaType).to.equal(OCI.manifest);
        const config = await configOf('greeting', entry.digest);
        expect(config.architecture).to.equal(entry.platform.architecture);
      }
      const byDigest = await get(`/v2/greeting/manifests/${res.headers['docker-content-digest']}`);
      expect(byDigest.body.equals(res.body)).to.equal(true);
    });

    it('lets a client choose its platform from the index', async () => {
      const inspect = async (arch: string) =>
        JSON.parse(await run('skopeo', [
          '--override-arch', arch, 'inspect', '--tls-verify=false', `docker://${host}/greeting`,
        ])).Architecture;
      expect(await inspect('arm64')).to.equal('arm64');
      expect(await inspect('amd64')).to.equal('amd64');
    });

    it('gives a Docker manifest list to a client that accepts only that', async () => {
      const res = await get('/v2/greeting/manifests/latest', {
        Accept: `${DOCKER.list}, ${DOCKER.manifest}`,
      });
      expect(res.headers['content-type']).to.equal(DOCKER.list);
      for (const entry of res.json.manifests) expect(entry.mediaType).to.equal(DOCKER.manifest);
    });

    it('gives a client that accepts no index the first platform\'s manifest', async () => {
      const res = await get('/v2/greeting/manifests/latest', { Accept: DOCKER.manifest });
      expect(res.headers['content-type']).to.equal(DOCKER.manifest);
      const config = await configOf('greeting', res.headers['docker-content-digest'] as string);
      expect(config.architecture).to.equal('amd64');
    });
  });

  describe('when the package set refuses a package on one platform', () => {
    it('lists only the platforms that can build it', async () => {
      const res = await get('/v2/jq/manifests/latest', { Accept: OCI.index });
      expect(res.status).to.equal(200);
      expect(res.json.manifests.map((m: any) => m.platform.architecture)).to.deep.equal(['amd64']);
    });

    it('refuses an arm64/ name with the reason, as 404 MANIFEST_UNKNOWN', async () => {
      const res = await get('/v2/arm64/jq/manifests/latest');
      expect(res.status).to.equal(404);
      expect(firstError(res).code).to.equal('MANIFEST_UNKNOWN');
      expect(firstError(res).message).to.include('not available on aarch64-linux');
    });
  });

  describe('when a name starts with the arm64 meta-package', () => {
    it('serves one arm64 manifest, not an index', async () => {
      const res = await get('/v2/arm64/greeting/manifests/latest', {
        Accept: `${OCI.index}, ${OCI.manifest}`,
      });
      expect(res.headers['content-type']).to.equal(OCI.manifest);
      const digest = res.headers['docker-content-digest'] as string;
      const config = await configOf('arm64/greeting', digest);
      expect(config.architecture).to.equal('arm64');
    });
  });
});

/**
 * The pull side of the OCI distribution spec, rule by rule, in raw HTTP
 * against a live gateway. Each `it` names the rule it checks; the
 * multi-platform and authentication rules need their own stacks and are
 * in protocol-platforms.test.ts and protocol-auth.test.ts.
 */
import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { metricSum } from '../support/commands.ts';
import { writePlatformSet } from '../support/platform-set.ts';
import { rawRequest } from '../support/raw-http.ts';
import { DOCKER, firstError, OCI } from '../support/registry-protocol.ts';
import { useStack } from '../support/stack-fixture.ts';

const SLOW_SECONDS = 3;

describe('the registry protocol (pull side of the distribution spec)', function () {
  this.timeout(180_000);
  let stack: Stack;
  type Headers = Record<string, string | string[]>;
  const url = (path: string) => `${stack.gatewayUrl}${path}`;
  const get = (path: string, headers: Headers = {}) => rawRequest(url(path), { headers });
  const head = (path: string, headers: Headers = {}) =>
    rawRequest(url(path), { method: 'HEAD', headers });
  const builds = () => metricSum(stack.builderUrl, 'nixport_builds_total');

  useStack('nixport-protocol-', (started) => ({ stack } = started), async (dir) => {
    const set = await writePlatformSet(join(dir, 'set'), SLOW_SECONDS);
    return { env: { NIXPORT_PACKAGE_SOURCE: `path:${set}` } };
  });

  describe('when a client probes the API', () => {
    it('answers GET /v2/ and /v2 with 200, {} and the API version header', async () => {
      for (const path of ['/v2/', '/v2']) {
        const res = await get(path);
        expect(res.status, path).to.equal(200);
        expect(res.json).to.deep.equal({});
        expect(res.headers['docker-distribution-api-version']).to.equal('registry/2.0');
      }
    });
  });

  describe('when a client negotiates the manifest format', () => {
    it('gives an OCI-only client an OCI manifest with OCI config and layer types', async () => {
      const res = await get('/v2/jq/manifests/latest', { Accept: OCI.manifest });
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal(OCI.manifest);
      expect(res.json.mediaType).to.equal(OCI.manifest);
      expect(res.json.config.mediaType).to.equal(OCI.config);
      for (const layer of res.json.layers) expect(layer.mediaType).to.equal(OCI.layer);
    });

    it('gives a Docker-only client schema 2 with Docker config and layer types', async () => {
      const res = await get('/v2/jq/manifests/latest', { Accept: DOCKER.manifest });
      expect(res.headers['content-type']).to.equal(DOCKER.manifest);
      expect(res.json.config.mediaType).to.equal(DOCKER.config);
      for (const layer of res.json.layers) expect(layer.mediaType).to.equal(DOCKER.layer);
    });

    it('gives a client with no Accept header the OCI manifest', async () => {
      const res = await get('/v2/jq/manifests/latest');
      expect(res.headers['content-type']).to.equal(OCI.manifest);
    });

    it('reads repeated and comma-separated Accept headers as one list', async () => {
      const repeated = await get('/v2/jq/manifests/latest', {
        Accept: [`${OCI.manifest};q=0`, `text/html, ${DOCKER.manifest}`],
      });
      expect(repeated.headers['content-type']).to.equal(DOCKER.manifest);
    });

    it('ignores media-type parameters but honours q=0', async () => {
      const res = await get('/v2/jq/manifests/latest', {
        Accept: `${DOCKER.manifest}; charset=utf-8, ${OCI.manifest} ; q=0.0`,
      });
      expect(res.headers['content-type']).to.equal(DOCKER.manifest);
      const wildcard = await get('/v2/jq/manifests/latest', { Accept: 'application/*;q=0.5' });
      expect(wildcard.headers['content-type']).to.equal(OCI.manifest);
    });

    it('answers HEAD with the headers GET sends, and no body', async () => {
      for (const accept of [OCI.manifest, DOCKER.manifest]) {
        const byGet = await get('/v2/jq/manifests/latest', { Accept: accept });
        const byHead = await head('/v2/jq/manifests/latest', { Accept: accept });
        expect(byHead.status).to.equal(200);
        expect(byHead.body.length).to.equal(0);
        for (const name of ['docker-content-digest', 'content-length', 'content-type', 'etag']) {
          expect(byHead.headers[name], name).to.equal(byGet.headers[name]);
        }
        expect(byGet.headers['content-length']).to.equal(String(byGet.body.length));
      }
    });

    it('serves by digest exactly the bytes it served by tag', async () => {
      for (const accept of [OCI.manifest, DOCKER.manifest]) {
        const byTag = await get('/v2/jq/manifests/latest', { Accept: accept });
        const digest = byTag.headers['docker-content-digest'] as string;
        const byDigest = await get(`/v2/jq/manifests/${digest}`, { Accept: '*/*' });
        expect(byDigest.status).to.equal(200);
        expect(byDigest.headers['content-type']).to.equal(accept);
        expect(byDigest.headers['docker-content-digest']).to.equal(digest);
        expect(byDigest.body.equals(byTag.body)).to.equal(true);
      }
    });
  });

  describe('when a client adds to the path what the spec allows', () => {
    it('treats a trailing slash as the same resource', async () => {
      const plain = await head('/v2/jq/manifests/latest');
      const slashed = await head('/v2/jq/manifests/latest/');
      expect(slashed.status).to.equal(200);
      const digest = plain.headers['docker-content-digest'];
      expect(slashed.headers['docker-content-digest']).to.equal(digest);
    });

    it('ignores query parameters on manifests and blobs', async () => {
      const res = await get('/v2/jq/manifests/latest?ns=example.org&x=1');
      expect(res.status).to.equal(200);
      const blob = await head(`/v2/jq/blobs/${res.json.config.digest}?ns=example.org`);
      expect(blob.status).to.equal(200);
      expect(blob.headers['docker-content-digest']).to.equal(res.json.config.digest);
    });

    it('decodes a percent-encoded digest', async () => {
      const manifest = await get('/v2/jq/manifests/latest');
      const digest = manifest.headers['docker-content-digest'] as string;
      const res = await head(`/v2/jq/manifests/${digest.replace(':', '%3A')}`);
      expect(res.status).to.equal(200);
      expect(res.headers['docker-content-digest']).to.equal(digest);
    });
  });

  describe('when a client revalidates a manifest it holds', () => {
    it('answers If-None-Match with its ETag by 304 and no body', async () => {
      const first = await get('/v2/jq/manifests/latest', { Accept: OCI.manifest });
      const etag = first.headers.etag as string;
      expect(etag).to.equal(`"${first.headers['docker-content-digest']}"`);

      for (const match of [etag, `W/${etag}`, `"sha256:${'0'.repeat(64)}", ${etag}`]) {
        const again = await get('/v2/jq/manifests/latest', {
          Accept: OCI.manifest,
          'If-None-Match': match,
        });
        expect(again.status, match).to.equal(304);
        expect(again.body.length).to.equal(0);
        expect(again.headers.etag).to.equal(etag);
      }
    });

    it('answers a stale ETag with the full manifest', async () => {
      const stale = `"sha256:${'0'.repeat(64)}"`;
      const res = await get('/v2/jq/manifests/latest', { 'If-None-Match': stale });
      expect(res.status).to.equal(200);
      expect(res.json.schemaVersion).to.equal(2);
    });
  });

  describe('when a client lists tags', () => {
    it('lists the tags in lexical order under the name', async () => {
      const res = await get('/v2/shell/jq/tags/list');
      expect(res.status).to.equal(200);
      expect(res.json).to.deep.equal({ name: 'shell/jq', tags: ['latest'] });
      expect(res.headers.link).to.equal(undefined);
    });

    it('answers n=0 with an empty list and no Link', async () => {
      const res = await get('/v2/jq/tags/list?n=0');
      expect(res.json.tags).to.deep.equal([]);
      expect(res.headers.link).to.equal(undefined);
    });

    it('starts after last, non-inclusively', async () => {
      expect((await get('/v2/jq/tags/list?n=5&last=latest')).json.tags).to.deep.equal([]);
      expect((await get('/v2/jq/tags/list?last=a')).json.tags).to.deep.equal(['latest']);
    });

    it('answers an n that is not a count with 400 PAGINATION_NUMBER_INVALID', async () => {
      for (const n of ['-1', 'ten']) {
        const res = await get(`/v2/jq/tags/list?n=${n}`);
        expect(res.status).to.equal(400);
        expect(firstError(res).code).to.equal('PAGINATION_NUMBER_INVALID');
      }
    });
  });

  describe('when a client asks for referrers', () => {
    it('answers with an empty OCI index, never a 404', async () => {
      const res = await get(`/v2/jq/referrers/sha256:${'a'.repeat(64)}?artifactType=x%2Fy`);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal(OCI.index);
      expect(res.headers['oci-filters-applied']).to.equal('artifactType');
      expect(res.json).to.deep.equal({ schemaVersion: 2, mediaType: OCI.index, manifests: [] });
    });
  });

  describe('when a name or reference breaks the grammar', () => {
    const cases: [string, number, string][] = [
      ['/v2/Jq/manifests/latest', 400, 'NAME_INVALID'],
      ['/v2/jq//git/manifests/latest', 400, 'NAME_INVALID'],
      ['/v2/-jq/manifests/latest', 400, 'NAME_INVALID'],
      ['/v2/jq..git/manifests/latest', 400, 'NAME_INVALID'],
      [`/v2/${'a/'.repeat(128)}jq/manifests/latest`, 400, 'NAME_INVALID'],
      ['/v2/jq%ZZ/manifests/latest', 400, 'NAME_INVALID'],
      ['/v2/jq/manifests/.latest', 400, 'MANIFEST_INVALID'],
      [`/v2/jq/manifests/${'t'.repeat(129)}`, 400, 'MANIFEST_INVALID'],
      ['/v2/jq/manifests/sha256:abc', 400, 'DIGEST_INVALID'],
      [`/v2/jq/manifests/md5:${'a'.repeat(32)}`, 400, 'DIGEST_INVALID'],
      ['/v2/jq/blobs/sha256:xyz', 400, 'DIGEST_INVALID'],
      [`/v2/J_Q/blobs/sha256:${'a'.repeat(64)}`, 400, 'NAME_INVALID'],
      ['/v2/jq/referrers/latest', 400, 'DIGEST_INVALID'],
      ['/v2/UPPER/tags/list', 400, 'NAME_INVALID'],
    ];
    it('answers 4xx with the OCI error body and queues no build', async () => {
      const before = await builds();
      for (const [path, status, code] of cases) {
        const res = await get(path);
        expect(res.status, path).to.equal(status);
        expect(firstError(res).code, path).to.equal(code);
      }
      expect(await builds()).to.equal(before);
    });
  });

  describe('when a name spells a package the way image names must', () => {
    it('maps dotted paths, lower-case names and leading digits to attributes', async () => {
      for (const name of ['tools.greeting', 'bashinteractive', '3dgreeting']) {
        const res = await head(`/v2/${name}/manifests/latest`);
        expect(res.status, name).to.equal(200);
      }
    });
  });

  describe('when a client tries to write', () => {
    const writes: [string, string][] = [
      ['POST', '/v2/jq/blobs/uploads/'],
      ['PATCH', '/v2/jq/blobs/uploads/1234'],
      ['PUT', '/v2/jq/manifests/latest'],
      ['DELETE', '/v2/jq/manifests/latest'],
      ['DELETE', `/v2/jq/blobs/sha256:${'a'.repeat(64)}`],
    ];
    it('answers every push endpoint with 405 UNSUPPORTED in the OCI body', async () => {
      for (const [method, path] of writes) {
        const res = await rawRequest(url(path), { method });
        expect(res.status, `${method} ${path}`).to.equal(405);
        expect(firstError(res).code).to.equal('UNSUPPORTED');
        expect(firstError(res).message).to.include('does not accept pushes');
        expect(res.headers.allow).to.be.a('string');
      }
      const put = await rawRequest(url('/v2/jq/manifests/latest'), { method: 'PUT' });
      expect(put.headers.allow).to.equal('GET, HEAD');
    });

    it('answers a read of an endpoint it lacks without talk of pushes', async () => {
      const res = await get('/v2/_catalog');
      expect(res.status).to.equal(405);
      expect(firstError(res).code).to.equal('UNSUPPORTED');
      expect(firstError(res).message).to.include('serves manifests, blobs, tags and referrers');
    });
  });

  describe('when a first build is slow', () => {
    it('starts the build on HEAD, and a concurrent GET joins it', async () => {
      const before = await builds();
      const [byHead, byGet] = await Promise.all([
        head('/v2/slowpoke/manifests/latest'),
        get('/v2/slowpoke/manifests/latest'),
      ]);
      expect(byHead.status).to.equal(200);
      expect(byGet.status).to.equal(200);
      const digest = byGet.headers['docker-content-digest'];
      expect(byHead.headers['docker-content-digest']).to.equal(digest);
      expect(await builds()).to.equal(before + 1);
    });

    it('goes on building when the client hangs up', async () => {
      const before = await builds();
      const gone = new AbortController();
      const pull = rawRequest(url('/v2/sleepy/manifests/latest'), { signal: gone.signal });
      await new Promise((resolve) => setTimeout(resolve, 500));
      gone.abort();
      await pull.catch(() => undefined);

      const deadline = Date.now() + 60_000;
      while ((await builds()) === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const res = await head('/v2/sleepy/manifests/latest');
      expect(res.status).to.equal(200);
      expect(await builds()).to.equal(before + 1);
    });
  });
});

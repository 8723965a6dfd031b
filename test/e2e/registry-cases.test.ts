import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { metricSum, run, runInImage, skopeoCopy } from '../support/commands.ts';
import { writeFixtureSet } from '../support/fixture-set.ts';
import { useStack } from '../support/stack-fixture.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const BUILD_TIMEOUT_SECONDS = 1;
const SLOW_BUILD_SECONDS = 5;
const MAX_LAYERS = 4;

describe('registry behaviour users rely on', function () {
  this.timeout(300_000);
  let dir: string;
  let stack: Stack;
  let host: string;
  const builds = () => metricSum(stack.builderUrl, 'nixport_builds_total');
  const manifestUrl = (name: string, reference: string) =>
    `${stack.gatewayUrl}/v2/${name}/manifests/${reference}`;

  useStack('nixport-cases-', (started) => ({ dir, stack, host } = started), async (dir) => {
    const set = await writeFixtureSet(join(dir, 'set'), SLOW_BUILD_SECONDS);
    return {
      env: { NIXPORT_PACKAGE_SOURCE: `path:${set}`, NIXPORT_MAX_LAYERS: String(MAX_LAYERS) },
    };
  });

  describe('when containerd HEADs a manifest by tag, then GETs it by digest', () => {
    it('answers the HEAD as the GET would, and builds once', async () => {
      const before = await builds();
      const accept = { Accept: OCI_MANIFEST };
      const head = await fetch(manifestUrl('shell/jq', 'latest'), { method: 'HEAD', headers: accept });
      expect(head.status).to.equal(200);
      const digest = head.headers.get('docker-content-digest')!;
      expect(digest).to.match(/^sha256:[a-f0-9]{64}$/);

      const byTag = await fetch(manifestUrl('shell/jq', 'latest'), { headers: accept });
      for (const header of ['docker-content-digest', 'content-length', 'content-type']) {
        expect(head.headers.get(header), header).to.equal(byTag.headers.get(header));
      }
      const tagBytes = Buffer.from(await byTag.arrayBuffer());

      const byDigest = await fetch(manifestUrl('shell/jq', digest), { headers: accept });
      expect(byDigest.status).to.equal(200);
      expect(Buffer.compare(Buffer.from(await byDigest.arrayBuffer()), tagBytes)).to.equal(0);
      expect(byDigest.headers.get('content-type')).to.equal(OCI_MANIFEST);
      expect(await builds()).to.equal(before + 1);
    });
  });

  describe('when CI pulls by digest an image built by tag', () => {
    it('gets the same image without a new build', async () => {
      const head = await fetch(manifestUrl('shell/jq', 'latest'), { method: 'HEAD' });
      const digest = head.headers.get('docker-content-digest')!;
      const before = await builds();
      await skopeoCopy(`${host}/shell/jq@${digest}`, join(dir, 'jq-by-digest'));
      const out = await runInImage(join(dir, 'jq-by-digest'), join(dir, 'jq-bundle'), [
        'jq', '--version',
      ]);
      expect(out).to.match(/^jq-\d/);
      expect(await builds()).to.equal(before);
    });
  });

  describe('when an image names a package that does not exist', () => {
    it('answers 404 MANIFEST_UNKNOWN naming only the missing package', async () => {
      const res = await fetch(manifestUrl('shell/htop/nosuchpackage', 'latest'));
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]!.code).to.equal('MANIFEST_UNKNOWN');
      expect(body.errors[0]!.message).to.include('nosuchpackage');
      expect(body.errors[0]!.message).not.to.match(/htop|bash|coreutils/);
    });

    it('shows that message in skopeo', async () => {
      const failed = await skopeoCopy(`${host}/nosuchpackage:latest`, join(dir, 'none')).then(
        () => '',
        (error: Error) => error.message,
      );
      expect(failed).to.include('nosuchpackage');
    });
  });

  describe('when an image of no packages targets a system the set lacks', () => {
    it('answers 404 naming what the set refuses, not a failed build', async () => {
      const res = await fetch(manifestUrl('arm64', 'latest'));
      expect(res.status).to.equal(404);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]!.code).to.equal('MANIFEST_UNKNOWN');
      expect(body.errors[0]!.message).to.include('not available on aarch64-linux');
    });
  });

  describe('when the package set refuses a package', () => {
    it('gives the refusal reason in the error message', async () => {
      const res = await fetch(manifestUrl('brokentool', 'latest'));
      expect(res.status).to.equal(404);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]!.code).to.equal('MANIFEST_UNKNOWN');
      expect(body.errors[0]!.message).to.include('brokentool').and.include('marked as broken');
    });
  });

  describe('when the closure has more store paths than the layer budget', () => {
    it('packs it into no more layers than the budget, and it runs', async () => {
      const layout = join(dir, 'git');
      await skopeoCopy(`${host}/shell/htop/git:latest`, layout);
      const res = await fetch(manifestUrl('shell/htop/git', 'latest'), {
        headers: { Accept: OCI_MANIFEST },
      });
      const manifest = (await res.json()) as { layers: unknown[] };
      expect(manifest.layers.length).to.be.at.most(MAX_LAYERS);
      const out = await runInImage(layout, join(dir, 'git-bundle'), ['git', '--version']);
      expect(out).to.match(/^git version \d/);
    });
  });

  describe('when a name or reference is malformed', () => {
    const cases: [string, string, number, string][] = [
      ['Upper/Case', 'latest', 400, 'NAME_INVALID'],
      ['htop', 'bad!tag', 400, 'MANIFEST_INVALID'],
      ['htop', 'latest2', 404, 'MANIFEST_UNKNOWN'],
    ];
    for (const [name, reference, status, code] of cases) {
      it(`answers ${name}:${reference} with ${status} ${code} and builds nothing`, async () => {
        const before = await builds();
        const res = await fetch(manifestUrl(name, reference));
        expect(res.status).to.equal(status);
        const body = (await res.json()) as { errors: { code: string }[] };
        expect(body.errors[0]!.code).to.equal(code);
        expect(await builds()).to.equal(before);
      });
    }
  });

  describe('when a client tries to push', () => {
    it('answers 405 UNSUPPORTED', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v2/htop/blobs/uploads/`, { method: 'POST' });
      expect(res.status).to.equal(405);
      const body = (await res.json()) as { errors: { code: string }[] };
      expect(body.errors[0]!.code).to.equal('UNSUPPORTED');
    });
  });

  describe('when a client checks the API version', () => {
    it('answers /v2/ with 200 and the version header', async () => {
      const res = await fetch(`${stack.gatewayUrl}/v2/`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('docker-distribution-api-version')).to.equal('registry/2.0');
    });
  });

  describe('when skopeo inspects a raw image with tags', () => {
    it('is not confused by the blob forwarding', async () => {
      const out = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${host}/shell/jq`]);
      expect(JSON.parse(out).schemaVersion).to.equal(2);
    });
  });
});

describe('a build slower than the build timeout', function () {
  this.timeout(120_000);
  let stack: Stack;

  useStack('nixport-timeout-', (started) => ({ stack } = started), async (dir) => {
    const set = await writeFixtureSet(join(dir, 'set'), SLOW_BUILD_SECONDS);
    return {
      env: {
        NIXPORT_PACKAGE_SOURCE: `path:${set}`,
        NIXPORT_BUILD_TIMEOUT: String(BUILD_TIMEOUT_SECONDS),
      },
    };
  });

  describe('when a pull waits longer than the timeout', () => {
    it('says the build timed out, and a later pull gets the image', async () => {
      const url = `${stack.gatewayUrl}/v2/slowpoke/manifests/latest`;
      const res = await fetch(url);
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]!.code).to.equal('UNAVAILABLE');
      expect(body.errors[0]!.message).to.include('did not finish');

      // Each pull waits up to the timeout again, and joins the same build.
      let status = 0;
      for (let tries = 0; tries < 60 && status !== 200; tries++) {
        status = (await fetch(url)).status;
      }
      expect(status).to.equal(200);
      expect(await metricSum(stack.builderUrl, 'nixport_builds_total')).to.equal(1);
    });
  });
});

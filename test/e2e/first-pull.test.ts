import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { metricSum, run, runInImage, skopeoCopy } from '../support/commands.ts';
import { useStack } from '../support/stack-fixture.ts';

interface Manifest {
  config: { digest: string };
  layers: { digest: string }[];
}

/** The manifest and config an OCI layout folder holds for `latest`. */
async function readLayout(layout: string) {
  const blob = (digest: string) =>
    readFile(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8');
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(await blob(index.manifests[0].digest)) as Manifest;
  const config = JSON.parse(await blob(manifest.config.digest));
  return { manifest, config };
}

describe('a first pull', function () {
  this.timeout(600_000);
  let dir: string;
  let stack: Stack;
  let host: string;

  useStack('nixport-e2e-', (started) => ({ dir, stack, host } = started));

  describe('when skopeo pulls shell/htop and umoci unpacks it', () => {
    it('runs htop and bash from the image', async () => {
      const layout = join(dir, 'htop');
      await skopeoCopy(`${host}/shell/htop:latest`, layout);

      const htop = await runInImage(layout, join(dir, 'htop-bundle'), ['htop', '--version']);
      expect(htop).to.match(/^htop \d+\.\d+/);
      const bash = await run('chroot', [join(dir, 'htop-bundle', 'rootfs'), 'bash', '-c', 'echo ok']);
      expect(bash.trim()).to.equal('ok');
    });

    it('gives a /tmp that any user can write, as in any Linux root', async () => {
      const root = join(dir, 'htop-bundle', 'rootfs');
      const mode = (await stat(join(root, 'tmp'))).mode & 0o7777;
      expect(mode.toString(8)).to.equal('1777');
      const made = await run('chroot', ['--userspec=65534:65534', root, 'mktemp']);
      expect(made.trim()).to.match(/^\/tmp\/tmp\./);
    });

    it('writes a config a runtime can use', async () => {
      const { manifest, config } = await readLayout(join(dir, 'htop'));
      expect(config.architecture).to.equal('amd64');
      expect(config.os).to.equal('linux');
      expect(config.config.Env).to.be.an('array').that.includes(
        'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      );
      expect(config.config.Cmd).to.deep.equal(['bash']);
      expect(config.rootfs.diff_ids).to.have.length(manifest.layers.length);
    });
  });

  describe('when the same image is pulled again', () => {
    it('serves it from the manifest cache without a new build', async () => {
      const builds = await metricSum(stack.builderUrl, 'nixport_builds_total');
      await skopeoCopy(`${host}/shell/htop:latest`, join(dir, 'htop-again'));
      expect(await metricSum(stack.builderUrl, 'nixport_builds_total')).to.equal(builds);

      const first = await readLayout(join(dir, 'htop'));
      const again = await readLayout(join(dir, 'htop-again'));
      expect(again.manifest).to.deep.equal(first.manifest);
    });
  });

  describe('when a second image shares packages with the first', () => {
    it('runs its own binary', async () => {
      const layout = join(dir, 'curl');
      await skopeoCopy(`${host}/curl:latest`, layout);
      const out = await runInImage(layout, join(dir, 'curl-bundle'), ['curl', '--version']);
      expect(out).to.match(/^curl \d+\.\d+/);
    });

    it('stores each shared layer once and packs it once', async () => {
      const htop = await readLayout(join(dir, 'htop'));
      const curl = await readLayout(join(dir, 'curl'));
      const htopLayers = htop.manifest.layers.map((l) => l.digest);
      const curlLayers = curl.manifest.layers.map((l) => l.digest);
      const shared = htopLayers.filter((d) => curlLayers.includes(d));
      expect(shared.length, 'layers both images use').to.be.greaterThan(0);

      const distinct = new Set([...htopLayers, ...curlLayers]);
      const packed = await metricSum(stack.builderUrl, 'nixport_layers_total', {
        result: 'packed',
      });
      const reused = await metricSum(stack.builderUrl, 'nixport_layers_total', {
        result: 'reused',
      });
      expect(packed).to.equal(distinct.size);
      expect(reused).to.equal(shared.length);

      const stored = await readdir(join(dir, 'data', 'store', 'blobs', 'sha256'));
      for (const digest of distinct) expect(stored).to.include(digest.slice(7));
    });
  });

  describe('when a pull adds a package to an image already pulled', () => {
    it('reuses every layer of the smaller image', async () => {
      await skopeoCopy(`${host}/shell/htop/git:latest`, join(dir, 'htop-git'));
      const small = await readLayout(join(dir, 'htop'));
      const large = await readLayout(join(dir, 'htop-git'));
      const largeLayers = large.manifest.layers.map((l) => l.digest);
      // The root layer (last) lists the image's files, so it differs.
      for (const layer of small.manifest.layers.slice(0, -1)) {
        expect(largeLayers).to.include(layer.digest);
      }
    });
  });

  describe('when skopeo inspects an image', () => {
    it('lists its tags and reads its config', async () => {
      const out = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/shell/htop`]);
      const inspected = JSON.parse(out);
      expect(inspected.RepoTags).to.deep.equal(['latest']);
      expect(inspected.Architecture).to.equal('amd64');
      expect(inspected.Env).to.include(
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      );
    });
  });
});

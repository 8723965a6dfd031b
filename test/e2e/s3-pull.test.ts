import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { startStack, type Stack } from '../../scripts/stack.ts';
import { metricSum, skopeoCopy } from '../support/commands.ts';
import { useSwift, type TestSwift } from '../support/swift.ts';

/** Hashes every blob of an OCI layout and returns their sizes by digest. */
async function verifyLayout(layout: string): Promise<Map<string, number>> {
  const folder = join(layout, 'blobs', 'sha256');
  const sizes = new Map<string, number>();
  for (const hex of await readdir(folder)) {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(join(folder, hex))) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(hash.digest('hex'), `blob ${hex}`).to.equal(hex);
    sizes.set(`sha256:${hex}`, size);
  }
  return sizes;
}

/** Bytes of the config and layers the layout's manifest names. */
async function pulledBytes(layout: string, sizes: Map<string, number>): Promise<number> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifestHex = (index.manifests[0].digest as string).slice('sha256:'.length);
  const manifest = JSON.parse(
    await readFile(join(layout, 'blobs', 'sha256', manifestHex), 'utf8'),
  ) as { config: { digest: string }; layers: { digest: string }[] };
  const digests = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  return digests.reduce((sum, digest) => sum + (sizes.get(digest) ?? 0), 0);
}

describe('pulls through the S3 store', function () {
  this.timeout(600_000);
  let dir: string;
  let swift: TestSwift;
  let release: () => Promise<void>;
  let redirecting: Stack;
  let proxying: Stack;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-s3-e2e-'));
    ({ swift, release } = await useSwift());
    const bucket = `nixport-e2e-${randomUUID().slice(0, 8)}`;
    redirecting = await startStack({
      dataDir: join(dir, 'redirecting'),
      env: { ...swift.storeEnv(bucket), NIXPORT_BLOB_MODE: 'redirect' },
    });
    // Same bucket and Redis: the second stack serves what the first built.
    proxying = await startStack({
      dataDir: join(dir, 'proxying'),
      redisUrl: redirecting.redisUrl,
      env: { ...swift.storeEnv(bucket), NIXPORT_BLOB_MODE: 'proxy' },
    });
  });

  after(async () => {
    await proxying?.stop();
    await redirecting?.stop();
    await release?.();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when the blobserver redirects to the store', () => {
    it('skopeo follows the redirects through the gateway and verifies every blob', async () => {
      const layout = join(dir, 'redirected');
      await skopeoCopy(`${new URL(redirecting.gatewayUrl).host}/htop:latest`, layout);
      await verifyLayout(layout);

      const url = redirecting.blobserverUrl;
      const redirects = await metricSum(url, 'nixport_http_requests_total', { status: '307' });
      expect(redirects, 'blob GETs answered with 307').to.be.greaterThan(1);
      expect(await metricSum(url, 'nixport_blob_bytes_served_total')).to.equal(0);
    });
  });

  describe('when the blobserver streams from the store', () => {
    it('skopeo gets every blob through it with the right digest', async () => {
      const layout = join(dir, 'proxied');
      await skopeoCopy(`${new URL(proxying.gatewayUrl).host}/htop:latest`, layout);
      const sizes = await verifyLayout(layout);

      const served = await metricSum(proxying.blobserverUrl, 'nixport_blob_bytes_served_total');
      expect(served).to.equal(await pulledBytes(layout, sizes));
    });
  });
});

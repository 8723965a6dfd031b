import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

import { expect } from 'chai';

import { streamLayer, type LayerDigests } from '../src/layer-stream.ts';
import { imageClosure } from './support/closure.ts';
import { snapshot } from './support/trees.ts';

const execFileAsync = promisify(execFile);
const PACK_LAYER = fileURLToPath(
  new URL('./support/pack-layer.ts', import.meta.url),
);
/** tsx by location, so that a child started in another folder finds it. */
const TSX = import.meta.resolve('tsx');

/** Runs a bash pipeline that fails if any part fails; returns stdout. */
async function sh(command: string): Promise<string> {
  const args = ['-o', 'pipefail', '-c', command];
  const maxBuffer = 64 * 1024 * 1024;
  return (await execFileAsync('bash', args, { maxBuffer })).stdout;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An OCI image layout holding one image, tagged latest, of one layer. */
async function writeLayout(
  dir: string,
  layer: Buffer,
  digests: LayerDigests,
): Promise<void> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer, mediaType: string) => {
    const digest = sha256(bytes);
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const config = await put(
    Buffer.from(JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [digests.diffId] },
    })),
    'application/vnd.oci.image.config.v1+json',
  );
  const layers = [await put(layer, 'application/vnd.oci.image.layer.v1.tar+gzip')];
  const manifest = await put(
    Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers })),
    'application/vnd.oci.image.manifest.v1+json',
  );
  const ref = { 'org.opencontainers.image.ref.name': 'latest' };
  const manifests = [{ ...manifest, annotations: ref }];
  const index = { schemaVersion: 2, manifests };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  const version = { imageLayoutVersion: '1.0.0' };
  await writeFile(join(dir, 'oci-layout'), JSON.stringify(version));
}

/**
 * A small tree whose bytes are fixed by this file alone: text, noise
 * from a fixed generator (past one 256 KiB chunk), a symlink, a folder.
 */
async function writeFixedTree(root: string): Promise<void> {
  await mkdir(join(root, 'share'), { recursive: true });
  const noise = Buffer.alloc(600_000);
  let state = 1;
  for (let i = 0; i < noise.length; i += 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    noise[i] = i % 3 ? state >> 16 : 0x61 + (i % 26);
  }
  await writeFile(join(root, 'share', 'noise'), noise);
  await writeFile(join(root, 'share', 'text'), 'a layer that never changes\n'.repeat(9000));
  await symlink('share/text', join(root, 'link'));
}

/** What the fixed tree packs to; recorded with Node 20's zlib 1.3.1-e00f703. */
const FIXED = {
  zlib: '1.3.1-e00f703',
  diffId: 'sha256:e2795418a771c44a70d17cff32418c6152b793c1109dd7c0447433e17de6dd4b',
  digest: 'sha256:068fe6aaffe327be93c565072dc1549399b3390b676cec7fdf967fd710d5ecc6',
};

describe('streamLayer', function () {
  // Building the jq image from the offline set, on a cold store.
  this.timeout(300_000);
  let dir: string;
  let paths: string[];
  let bytes: Buffer;
  let digests: LayerDigests;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-layer-'));
    paths = await imageClosure(['jq']);
    const trees = paths.map((path) => ({ from: path, to: path.slice(1) }));
    const layer = streamLayer(trees, ['nix', 'nix/store'], 6);
    await pipeline(layer.body, createWriteStream(join(dir, 'layer.tar.gz')));
    bytes = await readFile(join(dir, 'layer.tar.gz'));
    digests = layer.digests();
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when two builder processes pack the same store paths', () => {
    it('gives one digest whatever their threads, umask, time zone and folder', async () => {
      const pack = async (umask: string, env: NodeJS.ProcessEnv, cwd: string) => {
        const node = [process.execPath, '--import', TSX, PACK_LAYER];
        node.push('6', '/dev/null', ...paths);
        const { stdout } = await execFileAsync(
          'bash', ['-c', `umask ${umask}; exec "$@"`, 'bash', ...node],
          { cwd, env: { ...process.env, ...env } },
        );
        return stdout;
      };
      const [one, two] = await Promise.all([
        pack('022', { UV_THREADPOOL_SIZE: '1', TZ: 'UTC' }, '/'),
        pack('077', { UV_THREADPOOL_SIZE: '8', TZ: 'Pacific/Chatham' }, dir),
      ]);
      expect(JSON.parse(one!)).to.deep.equal(digests);
      expect(JSON.parse(two!)).to.deep.equal(digests);
    });
  });

  describe('when a fixed tree is packed on any machine', () => {
    let fixed: LayerDigests;

    before(async () => {
      const root = join(dir, 'fixed');
      await writeFixedTree(root);
      const layer = streamLayer([{ from: root, to: 'nix/store/fixed' }], ['nix'], 6);
      for await (const _chunk of layer.body);
      fixed = layer.digests();
    });

    it('gives the tarball recorded when this test was written', () => {
      expect(fixed.diffId).to.equal(FIXED.diffId);
    });

    it('gives the layer digest recorded, given the same zlib build', function () {
      // Deflate's output is the zlib build's choice; Node pins its own.
      if (process.versions.zlib !== FIXED.zlib) this.skip();
      expect(fixed.digest).to.equal(FIXED.digest);
    });
  });

  describe('when the layer is read back', () => {
    it('has its tarball\'s sha256 as diff id and its own as digest', () => {
      const tar = gunzipSync(bytes);
      expect(digests).to.deep.equal({
        diffId: sha256(tar),
        diffSize: tar.length,
        digest: sha256(bytes),
        size: bytes.length,
      });
    });

    it('lists with tar -tz as tar --sort=name lists the same paths', async () => {
      const list = paths.map((path) => `'${path.slice(1)}'`).join(' ');
      const gnu = await sh(`tar --sort=name -C / -c ${list} | tar -t`);
      const ours = await sh(`tar -tzf '${join(dir, 'layer.tar.gz')}'`);
      expect(ours).to.equal(`nix/\nnix/store/\n${gnu}`);
    });

    it('unpacks with umoci to what the store holds', async () => {
      const layout = join(dir, 'layout');
      await writeLayout(layout, bytes, digests);
      await sh(`umoci unpack --image '${layout}:latest' '${join(dir, 'bundle')}'`);
      for (const path of paths) {
        const unpacked = join(dir, 'bundle', 'rootfs', path);
        expect(snapshot(unpacked), path).to.deep.equal(snapshot(path));
      }
    });

    it('decompresses with skopeo to a blob named by the diff id', async () => {
      const out = join(dir, 'skopeo');
      const from = `oci:'${join(dir, 'layout')}':latest`;
      await sh(`skopeo --insecure-policy copy --dest-decompress ${from} dir:'${out}'`);
      expect(await readdir(out)).to.include(digests.diffId.slice('sha256:'.length));
    });
  });
});

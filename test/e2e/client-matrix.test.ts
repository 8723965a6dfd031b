/**
 * The registry clients users point at Nixport, each pulling and running
 * an image from the live stack with the flags that work on this machine
 * (see the notes on registry clients).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { metricSum, run, runInImage, skopeoCopy } from '../support/commands.ts';
import { useStack } from '../support/stack-fixture.ts';

const IMAGE = 'shell/htop';

/**
 * podman with its storage, state and temporary files in `root`. The
 * overlay driver works here and pulls shell/htop in ~6 s where vfs,
 * which copies the whole root per layer, takes ~30 s.
 */
function podmanIn(root: string) {
  return (args: string[]) =>
    run('podman', [
      '--root', join(root, 'root'), '--runroot', join(root, 'run'),
      '--tmpdir', join(root, 'tmp'), '--storage-driver', 'overlay',
      '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc',
      ...args,
    ]);
}

/** A containerd of the test's own in `root`, and `ctr` talking to it. */
interface Containerd {
  ctr(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

async function startContainerd(root: string): Promise<Containerd> {
  const socket = join(root, 'containerd.sock');
  const ctr = (args: string[]) => run('ctr', ['--address', socket, ...args]);
  await mkdir(root, { recursive: true });
  const config = join(root, 'config.toml');
  await writeFile(
    config,
    [
      'version = 2',
      `root = "${join(root, 'root')}"`,
      `state = "${join(root, 'state')}"`,
      // The CRI plugin wants a Kubernetes setup; ctr does not need it.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '',
    ].join('\n'),
  );
  const daemon = spawn('containerd', ['--config', config], { stdio: 'ignore' });
  const stop = async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    await run('umount', ['--recursive', '--lazy', join(root, 'root')]).catch(() => undefined);
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ctr(['version']).then(() => true, () => false)) return { ctr, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error('containerd did not come up within 30 s');
}

describe('registry clients against Nixport', function () {
  this.timeout(300_000);
  let dir: string;
  let stack: Stack;
  let host: string;
  const builds = () => metricSum(stack.builderUrl, 'nixport_builds_total');

  useStack('nixport-clients-', (started) => ({ dir, stack, host } = started));

  describe('when skopeo copies and inspects an image', () => {
    it('copies one that runs, and inspects its tags and config', async () => {
      const layout = join(dir, 'skopeo');
      await skopeoCopy(`${host}/${IMAGE}:latest`, layout);
      const out = await runInImage(layout, join(dir, 'skopeo-bundle'), ['htop', '--version']);
      expect(out).to.match(/^htop \d/);

      const inspected = JSON.parse(
        await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/${IMAGE}`]),
      );
      expect(inspected.RepoTags).to.deep.equal(['latest']);
      expect(inspected.Os).to.equal('linux');
      expect(inspected.Architecture).to.equal('amd64');
    });
  });

  describe('when podman pulls and runs an image', () => {
    let root: string;
    let podman: (args: string[]) => Promise<string>;

    before(async () => {
      root = join(dir, 'podman');
      await mkdir(join(root, 'tmp'), { recursive: true });
      podman = podmanIn(root);
    });

    after(async () => {
      await podman(['system', 'reset', '--force']).catch(() => undefined);
    });

    it('runs the command it was given', async () => {
      const image = `${host}/${IMAGE}:latest`;
      await podman(['pull', '--quiet', '--tls-verify=false', image]);
      const out = await podman([
        'run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024',
        '--ulimit', 'nproc=1024:1024', image, 'htop', '--version',
      ]);
      expect(out).to.match(/^htop \d/);
    });
  });

  describe('when containerd pulls and runs an image', () => {
    let containerd: Containerd;
    const ctr = (args: string[]) => containerd.ctr(args);

    before(async () => {
      containerd = await startContainerd(join(dir, 'containerd'));
    });

    after(async () => {
      await containerd?.stop();
    });

    it('runs the command it was given, after one build', async () => {
      // An image no other client pulled: ctr's HEAD by tag starts the
      // build and its GET by digest is served from the store.
      const image = `${host}/shell/jq:latest`;
      const before = await builds();
      await ctr(['images', 'pull', '--plain-http', image]);
      const out = await ctr(['run', '--rm', image, 'nixport-jq', 'jq', '--version']);
      expect(out).to.match(/^jq-\d/);
      expect(await builds()).to.equal(before + 1);
    });
  });
});

describe('registry clients against Nixport with token authentication', function () {
  this.timeout(300_000);
  const password = `pw-${randomUUID()}`;
  let dir: string;
  let stack: Stack;
  let image: string;

  useStack(
    'nixport-clients-auth-',
    (started) => {
      ({ dir, stack } = started);
      image = `${started.host}/jq:latest`;
    },
    () => ({ env: { NIXPORT_AUTH: 'token', NIXPORT_AUTH_USERS: `puller:${password}` } }),
  );

  describe('when podman pulls with credentials', () => {
    it('gets a token and the image, and fails with wrong ones', async () => {
      const root = join(dir, 'podman');
      await mkdir(join(root, 'tmp'), { recursive: true });
      const podman = podmanIn(root);
      try {
        const pull = (creds: string) =>
          podman(['pull', '--quiet', '--tls-verify=false', '--creds', creds, image]);
        expect(await pull(`puller:${password}`)).to.match(/^[a-f0-9]{64}/);
        const refused = await pull('puller:wrong').then(() => '', (e: Error) => e.message);
        expect(refused).to.match(/401|unauthorized/i);
      } finally {
        await podman(['system', 'reset', '--force']).catch(() => undefined);
      }
    });
  });

  describe('when containerd pulls with credentials', () => {
    it('gets a token and the image, and fails with wrong ones', async () => {
      const containerd = await startContainerd(join(dir, 'containerd'));
      try {
        const pull = (user: string) =>
          containerd.ctr(['images', 'pull', '--plain-http', '--user', user, image]);
        await pull(`puller:${password}`);
        const listed = await containerd.ctr(['images', 'list', '--quiet']);
        expect(listed.split('\n')).to.include(image);
        const refused = await pull('puller:wrong').then(() => '', (e: Error) => e.message);
        expect(refused).to.match(/401|unauthorized/i);
      } finally {
        await containerd.stop();
      }
    });
  });
});

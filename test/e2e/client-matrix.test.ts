/**
 * The registry clients users point at Nixport, each pulling and running
 * an image from the live stack with the flags that work on this machine
 * (see the notes on registry clients).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { startStack, type Stack } from '../../scripts/stack.ts';
import { metricSum, run, runInImage, skopeoCopy } from '../support/commands.ts';

const IMAGE = 'shell/htop';

describe('registry clients against Nixport', function () {
  this.timeout(300_000);
  let dir: string;
  let stack: Stack;
  let host: string;
  const builds = () => metricSum(stack.builderUrl, 'nixport_builds_total');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-clients-'));
    stack = await startStack({ dataDir: join(dir, 'data') });
    host = new URL(stack.gatewayUrl).host;
  });

  after(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

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
    // Storage, state and temporary files stay in the test's folder. The
    // overlay driver works here and pulls this image in ~6 s where vfs,
    // which copies the whole root per layer, takes ~30 s.
    const podman = (args: string[]) =>
      run('podman', [
        '--root', join(root, 'root'), '--runroot', join(root, 'run'),
        '--tmpdir', join(root, 'tmp'), '--storage-driver', 'overlay',
        '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc',
        ...args,
      ]);

    before(async () => {
      root = join(dir, 'podman');
      await mkdir(join(root, 'tmp'), { recursive: true });
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
    let root: string;
    let daemon: ChildProcess;
    let socket: string;
    const ctr = (args: string[]) => run('ctr', ['--address', socket, ...args]);

    before(async () => {
      root = join(dir, 'containerd');
      socket = join(root, 'containerd.sock');
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
      daemon = spawn('containerd', ['--config', config], { stdio: 'ignore' });
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (await ctr(['version']).then(() => true, () => false)) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error('containerd did not come up within 30 s');
    });

    after(async () => {
      if (daemon && daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon.once('exit', resolve));
        daemon.kill('SIGTERM');
        await exited;
      }
      await run('umount', ['--recursive', '--lazy', join(root, 'root')]).catch(() => undefined);
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

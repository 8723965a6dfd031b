import { execFile } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { nix } from './nix.ts';

const run = promisify(execFile);

/**
 * Lays an image out as a container runtime would see it: the farm's
 * entries at the root and its whole closure under /nix/store, so that the
 * farm's symlinks resolve inside a chroot. Adds /dev/null, which runtimes
 * provide and git insists on. Returns the new root folder.
 */
export async function assembleRoot(farm: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'nixport-root-'));
  const closure = (await nix('nix', ['path-info', '--recursive', farm])).trim().split('\n');

  await mkdir(join(root, 'nix', 'store'), { recursive: true });
  await run('cp', ['-a', ...closure, join(root, 'nix', 'store')]);
  await run('cp', ['-a', `${farm}/.`, root]);

  await mkdir(join(root, 'dev'), { recursive: true });
  await run('chmod', ['u+w', join(root, 'dev')]);
  await run('mknod', ['-m', '666', join(root, 'dev', 'null'), 'c', '1', '3']);
  return root;
}

/** Finds chroot on the host and commands inside the root. */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Runs a command inside the root with chroot; returns its stdout. */
export async function runInRoot(root: string, command: readonly string[]): Promise<string> {
  const { stdout } = await run('chroot', [root, ...command], { env: { PATH } });
  return stdout;
}

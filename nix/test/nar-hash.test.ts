import { expect } from 'chai';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { narHashOfExecutableFolder } from '../src/nar-hash.ts';
import { nix } from './support/nix.ts';

describe('narHashOfExecutableFolder', () => {
  describe('when the file length is not a multiple of 8', () => {
    let folder: string;

    before(async () => {
      folder = await mkdtemp(join(tmpdir(), 'nixport-nar-'));
      await mkdir(join(folder, 'tool'));
      await writeFile(join(folder, 'tool', 'busybox'), '#!/bin/sh\necho hi\n');
      await chmod(join(folder, 'tool', 'busybox'), 0o755);
    });

    after(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('equals the hash nix computes for the folder', async () => {
      const expected = await nix('nix', ['hash', 'path', '--base16', join(folder, 'tool')]);

      const hash = narHashOfExecutableFolder('busybox', Buffer.from('#!/bin/sh\necho hi\n'));

      expect(hash).to.equal(expected.trim());
    });
  });
});

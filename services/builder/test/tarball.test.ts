import { execFileSync } from 'node:child_process';
import {
  chmodSync, chownSync, linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { expect } from 'chai';
import { extract, type Header } from 'tar-stream';

import { tarBlocks } from '../src/tarball.ts';
import { collect, snapshot } from './support/trees.ts';

const STORE_NAME = 'nix/store/0000000000000000000000000000000a-odd';
const LONG_TARGET = `/nix/store/${'x'.repeat(150)}`;
const SPLITTABLE = `deep/${'d'.repeat(60)}/${'e'.repeat(60)}/file`;

/**
 * Writes a tree with what trips tar writers up: names past 100 bytes
 * (one that ustar's prefix can hold, one that needs pax), a long symlink
 * target, a name that is not UTF-8, a hard link, empty files and
 * folders, and a file that spans several blocks. `other` gives the same
 * content with other times, owners, permission bits and a copy instead
 * of the hard link: nothing Nix would record.
 */
function writeTree(dir: string, other = false): string {
  const root = join(dir, STORE_NAME);
  const file = (name: string | Buffer, data: string | Buffer, exec = false) => {
    const path = Buffer.concat([Buffer.from(`${root}/`), Buffer.from(name)]);
    writeFileSync(path, data);
    chmodSync(path, exec ? (other ? 0o700 : 0o755) : other ? 0o600 : 0o644);
  };
  const deepest = SPLITTABLE.slice(0, SPLITTABLE.lastIndexOf('/'));
  for (const sub of ['bin', 'lib', 'share/empty', deepest]) {
    mkdirSync(join(root, sub), { recursive: true });
  }

  const big = Buffer.alloc(700_000);
  for (let i = 0; i < big.length; i += 1) big[i] = (i * 7919) % 251;
  file('bin/tool', big, true);
  if (other) file('bin/tool-again', big, true);
  else linkSync(join(root, 'bin/tool'), join(root, 'bin/tool-again'));
  file('lib/liba.so.1', 'library');
  symlinkSync('liba.so.1', join(root, 'lib/liba.so'));
  symlinkSync(LONG_TARGET, join(root, 'lib/far'));
  file('empty', '');
  file(SPLITTABLE, 'deep');
  file('l'.repeat(120), 'long');
  file(Buffer.from([0x6e, 0xff, 0x6e]), 'not utf-8');
  file('café', 'utf-8');

  if (other) {
    execFileSync('chown', ['-R', '-h', '1234:1234', root]);
    execFileSync('touch', ['-h', '-d', '2020-02-02', root]);
    utimesSync(join(root, 'bin/tool'), 1_234_567, 1_234_567);
  }
  return root;
}

async function pack(root: string, blockSize = 64 * 1024): Promise<Buffer[]> {
  const blocks: Buffer[] = [];
  const trees = [{ from: root, to: STORE_NAME }];
  for await (const block of tarBlocks(trees, ['nix', 'nix/store'], blockSize)) {
    blocks.push(block);
  }
  return blocks;
}

/** Every header of an archive, read with tar-stream (not the writer's code). */
async function headers(tar: Buffer): Promise<Header[]> {
  const out: Header[] = [];
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    out.push(header);
    stream.on('end', next).resume();
  });
  Readable.from([tar]).pipe(reader);
  await new Promise<void>((resolve, reject) => {
    reader.on('finish', () => resolve()).on('error', reject);
  });
  return out;
}

describe('tarBlocks', () => {
  let dir: string;
  let root: string;
  let tar: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-tarball-'));
    root = writeTree(join(dir, 'a'));
    tar = Buffer.concat(await pack(root));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a tree has long names, odd bytes, links and empty entries', () => {
    it('unpacks with GNU tar to the same tree', () => {
      const out = join(dir, 'gnu');
      mkdirSync(out);
      execFileSync('tar', ['-x', '-C', out], { input: tar });
      expect(snapshot(join(out, STORE_NAME))).to.deep.equal(snapshot(root));
    });

    it('lists entries in the order of tar --sort=name', () => {
      const ours = execFileSync('tar', ['-t'], { input: tar });
      const pipeline = `tar --sort=name -C "${join(dir, 'a')}" -c nix | tar -t`;
      const gnu = execFileSync('bash', ['-c', pipeline]);
      expect(ours.toString('latin1')).to.equal(gnu.toString('latin1'));
    });

    it('gives entries owner 0, mtime 1 s, no user names, store modes', async () => {
      const seen = await headers(tar);
      expect(seen).to.have.length(20);
      for (const header of seen) {
        const owner = [header.uid, header.gid, header.uname, header.gname];
        expect(owner).to.deep.equal([0, 0, '', '']);
        expect(header.mtime?.getTime()).to.equal(1000);
      }
      const modes = new Map(seen.map((h) => [h.name.replace(/\/$/, ''), h.mode]));
      expect(modes.get('nix/store')).to.equal(0o755);
      expect(modes.get(`${STORE_NAME}/bin`)).to.equal(0o555);
      expect(modes.get(`${STORE_NAME}/bin/tool`)).to.equal(0o555);
      expect(modes.get(`${STORE_NAME}/empty`)).to.equal(0o444);
      expect(modes.get(`${STORE_NAME}/lib/liba.so`)).to.equal(0o777);
      expect(modes.get(`${STORE_NAME}/lib/far`)).to.equal(0o777);
    });

    it('writes a hard link as a second plain file', async () => {
      const all = await headers(tar);
      const tools = all.filter((h) => h.name.includes('/bin/tool'));
      expect(tools.map((h) => [h.type, h.size])).to.deep.equal([
        ['file', 700_000],
        ['file', 700_000],
      ]);
    });
  });

  describe('when the content is the same but not times, owners, modes, inodes', () => {
    it('gives the same bytes', async () => {
      const other = Buffer.concat(await pack(writeTree(join(dir, 'b'), true)));
      expect(other.equals(tar)).to.equal(true);
    });
  });

  describe('when it is cut into blocks of another size', () => {
    it('gives blocks of just that size and, joined, the same bytes', async () => {
      const blocks = await pack(root, 4096);
      const sizes = new Set(blocks.slice(0, -1).map((block) => block.length));
      expect([...sizes]).to.deep.equal([4096]);
      expect(Buffer.concat(blocks).equals(tar)).to.equal(true);
    });
  });

  describe('when a tree holds something Nix cannot store', () => {
    it('fails and names it', async () => {
      const odd = join(dir, 'fifo');
      mkdirSync(odd);
      execFileSync('mkfifo', [join(odd, 'pipe')]);
      const blocks = tarBlocks([{ from: odd, to: 'x' }], [], 4096);
      const failure = await collect(blocks).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).to.match(/fifo\/pipe: not a file, directory or symlink/);
    });
  });
});

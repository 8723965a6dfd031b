import { execFileSync } from 'node:child_process';

import { expect } from 'chai';

import {
  BLOCK,
  encodeHeader,
  END_OF_ARCHIVE,
  type TarEntry,
} from '../src/tar-header.ts';

/** What GNU tar lists for an archive of data-less entries. */
function gnuList(entries: TarEntry[]): string[] {
  const tar = Buffer.concat([...entries.map(encodeHeader), END_OF_ARCHIVE]);
  return execFileSync('tar', ['-t'], { input: tar }).toString().split('\n').slice(0, -1);
}

const dir = (name: string): TarEntry => ({
  name: Buffer.from(name),
  type: 'directory',
  mode: 0o555,
  size: 0,
});

describe('encodeHeader', () => {
  describe('when names are at the edges of what ustar holds', () => {
    const names = [
      'n'.repeat(100), // fills the name field
      'n'.repeat(101), // no slash to split at: pax
      `${'p'.repeat(155)}/${'n'.repeat(100)}`, // fills prefix and name
      `${'p'.repeat(156)}/${'n'.repeat(99)}`, // prefix one too long: pax
      `${'p'.repeat(100)}/`, // the only slash is the trailing one: pax
    ];

    it('writes each name so that GNU tar reads it back whole', () => {
      expect(gnuList(names.map(dir))).to.deep.equal(names);
    });

    it('adds a pax header only where ustar cannot hold the name', () => {
      const blocks = names.map((name) => encodeHeader(dir(name)).length / BLOCK);
      expect(blocks).to.deep.equal([1, 3, 1, 3, 3]);
    });
  });

  describe('when a file is 8 GiB or larger', () => {
    it('records its size in a pax header', () => {
      const size = 2 ** 34;
      const entry: TarEntry = { name: Buffer.from('big'), type: 'file', mode: 0o444, size };
      const header = encodeHeader(entry).toString('latin1');
      expect(header.slice(156, 157)).to.equal('x');
      expect(header).to.contain(`size=${size}\n`);
    });
  });
});

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';

import { expect } from 'chai';

import { gzipChunks } from '../src/parallel-gzip.ts';
import { collect } from './support/trees.ts';

/** Half repetitive text, half noise: both of deflate's paths get used. */
function sample(chunks: number, size: number): Buffer[] {
  const text = (i: number) => `line ${i} of a compressible chunk\n`.repeat(size / 32);
  return Array.from({ length: chunks }, (_, i) =>
    i % 2 ? randomBytes(size) : Buffer.from(text(i)),
  );
}

async function* from(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

describe('gzipChunks', () => {
  const chunks = sample(9, 64 * 1024);
  const input = Buffer.concat(chunks);
  let output: Buffer;

  before(async () => {
    output = await collect(gzipChunks(from(chunks), 6, 3));
  });

  describe('when the input spans many chunks', () => {
    it('decompresses to the input with Node and with GNU gzip', () => {
      expect(gunzipSync(output).equals(input)).to.equal(true);
      const gnu = execFileSync('gzip', ['-d', '-c'], { input: output });
      expect(gnu.equals(input)).to.equal(true);
    });

    it('is one gzip member: one deflate stream, then CRC-32 and length', () => {
      expect(inflateRawSync(output.subarray(10, -8)).equals(input)).to.equal(true);
      expect(output.readUInt32LE(output.length - 8)).to.equal(crc32(input));
      expect(output.readUInt32LE(output.length - 4)).to.equal(input.length);
    });

    it('has a header with no name, no time and a fixed OS', () => {
      const header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
      expect([...output.subarray(0, 10)]).to.deep.equal(header);
    });

    it('compresses about as well as one zlib stream', () => {
      const single = gzipSync(input, { level: 6 });
      expect(output.length).to.be.below(single.length * 1.01);
    });
  });

  describe('when more or fewer chunks are compressed at once', () => {
    it('gives the same bytes', async () => {
      for (const parallel of [1, 2, 8]) {
        const again = await collect(gzipChunks(from(chunks), 6, parallel));
        expect(again.equals(output), `${parallel} in flight`).to.equal(true);
      }
    });
  });

  describe('when the input is empty', () => {
    it('gives a valid gzip stream of nothing', async () => {
      const empty = await collect(gzipChunks(from([]), 6));
      expect(gunzipSync(empty).length).to.equal(0);
    });
  });

  describe('when the input fails midway', () => {
    it('fails with the input error', async () => {
      async function* broken(): AsyncGenerator<Buffer> {
        yield* chunks.slice(0, 4);
        throw new Error('disk on fire');
      }
      const failure = await collect(gzipChunks(broken(), 6, 2)).then(
        () => 'no error',
        (error: Error) => error.message,
      );
      expect(failure).to.equal('disk on fire');
    });
  });
});

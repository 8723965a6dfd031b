import { availableParallelism } from 'node:os';
import { constants, crc32, deflateRaw, type ZlibOptions } from 'node:zlib';

/**
 * Compresses a stream into one gzip member (RFC 1952) using every core,
 * the way pigz does: each input chunk is deflated on its own in libuv's
 * thread pool, primed with the last 32 KiB of the chunk before it as a
 * preset dictionary (so matches still reach back across chunks), and
 * ended with a sync flush, which closes it on a byte boundary with an
 * empty non-final stored block. Glued in input order, the pieces form
 * one valid deflate stream; a final empty block, the CRC-32 of all the
 * input (computed here, on the main thread, while the pool works) and
 * its length close the member.
 *
 * Output bytes depend only on the input chunks, the level and the zlib
 * build (Node's bundled zlib, `process.versions.zlib`): never on thread
 * timing or on how many chunks are in flight. Callers that want the same
 * bytes everywhere must cut the input at fixed offsets (`tarBlocks` does).
 *
 * One member rather than concatenated members (which would need no
 * dictionary and no CRC here): every gzip reader accepts one member,
 * while readers that stop after the first (Rust's `GzDecoder`, some
 * scanners) would silently truncate a multi-member layer.
 *
 * Needs `zlib.crc32` (Node 20.15 or later).
 */
export async function* gzipChunks(
  chunks: AsyncIterable<Buffer>,
  level: number,
  parallel: number = defaultParallelism(),
): AsyncGenerator<Buffer> {
  yield gzipHeader(level);

  const pending: Promise<Buffer>[] = [];
  let previous: Buffer | undefined;
  let crc = 0;
  let length = 0;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;

    crc = crc32(chunk, crc);
    length += chunk.length;
    pending.push(deflateChunk(chunk, level, previous?.subarray(-WINDOW)));
    previous = chunk;
    if (pending.length >= parallel) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;

  yield gzipTrailer(crc, length);
}

/**
 * Chunks in flight: one per core keeps them all compressing, plus one so
 * that a core never waits while the main thread reads the next chunk.
 */
function defaultParallelism(): number {
  return availableParallelism() + 1;
}

/** Deflate's window: the furthest back a match can reach. */
const WINDOW = 32 * 1024;

function deflateChunk(
  chunk: Buffer,
  level: number,
  dictionary?: Buffer,
): Promise<Buffer> {
  const options: ZlibOptions = {
    level,
    finishFlush: constants.Z_SYNC_FLUSH,
    // Room for all of the output (deflate grows incompressible data by
    // a few bytes per 16 KiB), so a chunk makes one trip through the pool
    // rather than one per 16 KiB of output, each waiting on the main thread.
    chunkSize: chunk.length + (chunk.length >> 4) + 1024,
    ...(dictionary ? { dictionary } : {}),
  };
  const job = new Promise<Buffer>((resolve, reject) => {
    deflateRaw(chunk, options, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
  // Awaited later, in order; until then a failure must not count as an
  // unhandled rejection, which would end the process.
  job.catch(() => undefined);
  return job;
}

/**
 * RFC 1952 §2.3 header with nothing that varies: no name, no comment,
 * mtime 0, and a fixed OS byte (3, Unix, what `gzip -n` writes on Linux)
 * where zlib would write the OS it was built for.
 */
function gzipHeader(level: number): Buffer {
  // XFL as zlib sets it: 2 for the slowest level, 4 for the fastest.
  const xfl = level === 9 ? 2 : level === 1 ? 4 : 0;
  return Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
}

/**
 * An empty final block with fixed Huffman codes (bits 1, 01, then the
 * 7-bit end-of-block code: RFC 1951 §3.2.6), which ends the deflate
 * stream on a byte boundary; then CRC-32 and length mod 2^32, both
 * little-endian (RFC 1952 §2.3.1).
 */
function gzipTrailer(crc: number, length: number): Buffer {
  const trailer = Buffer.from([0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
  trailer.writeUInt32LE(crc >>> 0, 2);
  trailer.writeUInt32LE(length % 2 ** 32, 6);
  return trailer;
}

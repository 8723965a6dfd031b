import {
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  type Stats,
} from 'node:fs';

import { BlockSink } from './block-sink.ts';
import {
  encodeHeader,
  END_OF_ARCHIVE,
  padding,
  type TarEntry,
} from './tar-header.ts';

/** One tree to put into a tarball, and where it goes inside it. */
export interface TreeSource {
  /** The folder on disk. */
  from: string;
  /** Its path inside the tarball, without a leading slash ("" = root). */
  to: string;
}

/**
 * Streams a reproducible tarball of the given trees as blocks of exactly
 * `blockSize` bytes (the last one shorter). The bytes depend only on the
 * trees' contents as Nix sees them (their NAR serialisation), never on
 * the machine, the run or the file system:
 *
 * - entries sorted by name bytes at every level, trees by `to`;
 * - modes as the Nix store canonicalises them: 0o555 for directories
 *   and executables, 0o444 for other files, 0o777 for symlinks; but a
 *   tree landing at the archive's root gives ordinary root directories
 *   (0o755, `tmp` 0o1777);
 * - hard links written as regular files, since whether two store files
 *   share an inode depends on `nix-store --optimise`, not on content;
 * - names and symlink targets as raw bytes, with no locale or encoding;
 * - fixed times and owners (see `tar-header.ts`).
 *
 * `parents` are directories written first (e.g. `nix`, `nix/store`), so
 * that unpackers that do not create parents still work.
 *
 * Files are read with synchronous calls straight into the block being
 * filled: the walk does no per-entry round trip through the thread pool,
 * which the compressor keeps busy, and it yields between blocks, so the
 * event loop is never held for longer than one block's reads.
 */
export async function* tarBlocks(
  trees: TreeSource[],
  parents: string[],
  blockSize: number,
): AsyncGenerator<Buffer> {
  const sink = new BlockSink(blockSize);
  for (const dir of parents) {
    sink.write(encodeHeader(directory(Buffer.from(`${dir}/`), 0o755)));
  }

  const sorted: Node[] = trees
    .map((tree) => ({ from: Buffer.from(tree.from), to: Buffer.from(tree.to) }))
    .sort((a, b) => Buffer.compare(a.to, b.to));
  for (const tree of sorted) {
    const dirMode = tree.to.length === 0 ? rootDirectoryMode : storeDirectoryMode;
    // Depth first over an explicit stack, children pushed in reverse.
    const stack = [tree];
    while (stack.length > 0) {
      const { from, to } = stack.pop()!;
      const stats = lstatSync(from);
      yield* writeEntry(sink, from, to, stats, dirMode);
      yield* sink.drain();
      if (stats.isDirectory()) stack.push(...children(from, to).reverse());
    }
  }

  sink.write(END_OF_ARCHIVE);
  yield* sink.drain();
  const last = sink.rest();
  if (last.length > 0) yield last;
}

/** A file system entry and its name in the archive, both as bytes. */
interface Node {
  from: Buffer;
  to: Buffer;
}

/** Store directories are read-only, as Nix leaves them. */
function storeDirectoryMode(): number {
  return 0o555;
}

/**
 * A tree unpacked at the image's root (the symlink farm) makes the
 * root's own directories, which programs write to as in any Linux root:
 * 0o755, and `/tmp` world-writable with the sticky bit.
 */
function rootDirectoryMode(name: Buffer): number {
  return name.equals(TMP) ? 0o1777 : 0o755;
}

function* writeEntry(
  sink: BlockSink,
  from: Buffer,
  to: Buffer,
  stats: Stats,
  dirMode: (name: Buffer) => number,
): Generator<Buffer> {
  if (stats.isDirectory()) {
    // The root of a tree that lands at the archive's root has no entry.
    if (to.length === 0) return;
    sink.write(encodeHeader(directory(Buffer.concat([to, SLASH]), dirMode(to))));
  } else if (stats.isSymbolicLink()) {
    const linkname = readlinkSync(from, { encoding: 'buffer' });
    const link: TarEntry = { name: to, type: 'symlink', mode: 0o777, size: 0, linkname };
    sink.write(encodeHeader(link));
  } else if (stats.isFile()) {
    const mode = stats.mode & 0o100 ? 0o555 : 0o444;
    sink.write(encodeHeader({ name: to, type: 'file', mode, size: stats.size }));
    yield* copyFile(sink, from, stats.size);
    sink.write(ZEROS.subarray(0, padding(stats.size)));
  } else {
    const what = 'not a file, directory or symlink';
    throw new Error(`cannot pack ${from.toString()}: ${what}`);
  }
}

/** Reads a file's `size` bytes into the sink, yielding each full block. */
function* copyFile(sink: BlockSink, path: Buffer, size: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let left = size;
    while (left > 0) {
      const { buffer, offset, room } = sink.space();
      const read = readSync(fd, buffer, offset, Math.min(room, left), null);
      // Store paths are immutable: a size that changed means corruption.
      if (read === 0) throw new Error(`${path.toString()} shrank while packed`);
      sink.advance(read);
      left -= read;
      yield* sink.drain();
    }
  } finally {
    closeSync(fd);
  }
}

function children(from: Buffer, to: Buffer): Node[] {
  const names = readdirSync(from, { encoding: 'buffer' }).sort(Buffer.compare);
  return names.map((name) => ({
    from: Buffer.concat([from, SLASH, name]),
    to: to.length === 0 ? name : Buffer.concat([to, SLASH, name]),
  }));
}

function directory(name: Buffer, mode: number): TarEntry {
  return { name, type: 'directory', mode, size: 0 };
}

const SLASH = Buffer.from('/');
const TMP = Buffer.from('tmp');
const ZEROS = Buffer.alloc(512);

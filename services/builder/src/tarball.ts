import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { pack, type Header, type Pack } from 'tar-stream';

/** One tree to put into a tarball, and where it goes inside it. */
export interface TreeSource {
  /** The folder on disk. */
  from: string;
  /** Its path inside the tarball, without a leading slash ("" = root). */
  to: string;
}

/**
 * Every entry has these, so the same files give the same bytes on any
 * machine: Nix's own epoch (1 s), root ownership, no user names.
 */
const FIXED = { mtime: new Date(1000), uid: 0, gid: 0, uname: '', gname: '' };

/**
 * Streams a reproducible tarball of the given trees: entries sorted by
 * name at every level, fixed times and owners. `parents` are directories
 * written first (e.g. `nix`, `nix/store`) so that unpackers that do not
 * create parents still work.
 */
export function packTrees(trees: TreeSource[], parents: string[] = []): Pack {
  const tar = pack();
  void (async () => {
    for (const dir of parents) {
      await addEntry(tar, { name: `${dir}/`, type: 'directory', mode: 0o755 });
    }
    const sorted = [...trees].sort((a, b) => compare(a.to, b.to));
    for (const tree of sorted) await addTree(tar, tree.from, tree.to);
    tar.finalize();
  })().catch((error: unknown) => tar.destroy(error as Error));
  return tar;
}

async function addTree(tar: Pack, from: string, to: string): Promise<void> {
  const stats = await lstat(from);
  const mode = stats.mode & 0o7777;

  if (stats.isDirectory()) {
    if (to !== '') await addEntry(tar, { name: `${to}/`, type: 'directory', mode });
    const names = (await readdir(from)).sort(compare);
    for (const name of names) {
      await addTree(tar, join(from, name), to === '' ? name : `${to}/${name}`);
    }
  } else if (stats.isSymbolicLink()) {
    const linkname = await readlink(from);
    await addEntry(tar, { name: to, type: 'symlink', linkname, mode: 0o777 });
  } else if (stats.isFile()) {
    const entry = tar.entry({ ...FIXED, name: to, type: 'file', mode, size: stats.size });
    await pipeline(createReadStream(from), entry);
  }
  // Sockets, fifos and devices cannot occur in the Nix store.
}

function addEntry(tar: Pack, header: Partial<Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ ...FIXED, ...header }, (error) => (error ? reject(error) : resolve()));
  });
}

/** Byte-order comparison, independent of locale. */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

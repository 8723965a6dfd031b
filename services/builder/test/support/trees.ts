import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What a tree holds as Nix's NAR format sees it: per path (as hex of its
 * bytes, so that any byte survives), the type, the executable bit, a
 * file's content hash or a symlink's target. Times, owners, other
 * permission bits and inode sharing are left out on purpose.
 */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: Buffer, name: Buffer) => {
    const stats = lstatSync(path);
    const key = name.toString('hex');
    if (stats.isDirectory()) {
      out.set(key, 'dir');
      for (const child of readdirSync(path, { encoding: 'buffer' })) {
        const slash = Buffer.from(name.length ? '/' : '');
        walk(Buffer.concat([path, SLASH, child]), Buffer.concat([name, slash, child]));
      }
    } else if (stats.isSymbolicLink()) {
      const target = readlinkSync(path, { encoding: 'buffer' });
      out.set(key, `link ${target.toString('hex')}`);
    } else {
      const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
      out.set(key, `file ${stats.mode & 0o100 ? 'x' : '-'} ${hash}`);
    }
  };
  walk(Buffer.from(root), Buffer.alloc(0));
  return out;
}

const SLASH = Buffer.from('/');

/** Collects an async stream of buffers into one. */
export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

import { createHash } from 'node:crypto';

/**
 * The SHA-256 of the Nix archive (NAR) of a folder holding one executable
 * file, in hex: what `builtins.path { sha256 = …; }` checks when it
 * imports that folder. Pinning the hash in the generated expression makes
 * Nix verify the file and makes any change to it change the expression.
 *
 * A NAR is a sequence of strings, each an 8-byte little-endian length,
 * the bytes, and zero padding to a multiple of 8 (Dolstra's thesis, 5.2.1).
 */
export function narHashOfExecutableFolder(fileName: string, contents: Buffer): string {
  const hash = createHash('sha256');
  const tokens: Array<string | Buffer> = [
    'nix-archive-1', '(', 'type', 'directory',
    'entry', '(', 'name', fileName, 'node',
    '(', 'type', 'regular', 'executable', '', 'contents', contents, ')',
    ')', ')',
  ];

  for (const token of tokens) {
    const bytes = typeof token === 'string' ? Buffer.from(token) : token;
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.length));
    hash.update(length);
    hash.update(bytes);
    hash.update(Buffer.alloc((8 - (bytes.length % 8)) % 8));
  }

  return hash.digest('hex');
}
